package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.proxy.config.OperatorConfig;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * Turns the configured operator identity into the {@link AclPolicy} applied to every tenant's ACL lists, and into the
 * ACL of the znodes only the platform may change (the quota znodes).
 */
final class OperatorAcl {
    private OperatorAcl() {
    }

    /** @return {@link AclPolicy#NONE} without an operator, else one appending {@code digest:user:<digest>} */
    static AclPolicy policy(OperatorConfig operator) {
        return operator == null ? AclPolicy.NONE : AclPolicy.appendOperator("digest", digestId(operator));
    }

    /**
     * @return {@code digest:user:<digest>} ALL, the operator alone; {@code world:anyone} ALL without an operator
     *     (nothing else would let the proxy itself change them)
     */
    static List<ACL> quotaAcl(OperatorConfig operator) {
        return operator == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE
                : List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", digestId(operator))));
    }

    private static String digestId(OperatorConfig operator) {
        try {
            return DigestAuthenticationProvider.generateDigest(operator.user() + ":" + operator.password());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is not available for the digest scheme", e);
        }
    }
}
