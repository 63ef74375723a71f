package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.proxy.config.OperatorConfig;
import java.security.NoSuchAlgorithmException;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/** Turns the configured operator identity into the {@link AclPolicy} applied to every tenant's ACL lists. */
final class OperatorAcl {
    private OperatorAcl() {
    }

    /** @return {@link AclPolicy#NONE} without an operator, else one appending {@code digest:user:<digest>} */
    static AclPolicy policy(OperatorConfig operator) {
        if (operator == null) {
            return AclPolicy.NONE;
        }
        try {
            String id = DigestAuthenticationProvider.generateDigest(operator.user() + ":" + operator.password());
            return AclPolicy.appendOperator("digest", id);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is not available for the digest scheme", e);
        }
    }
}
