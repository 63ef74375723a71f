package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.protocol.UpstreamIdentity;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import java.util.List;

/** Turns the proxy's {@link Identities} into the {@link AclPolicy} applied to one tenant's connections. */
final class OperatorAcl {
    private OperatorAcl() {
    }

    /**
     * @return {@link AclPolicy#isolating} with the tenant's identity when an upstream secret is configured;
     *     else {@link AclPolicy#appendOperator} with the operator identity, or {@link AclPolicy#NONE} without one
     */
    static AclPolicy policy(Identities identities, String tenant) {
        List<DigestCredential> platform = identities.platform();
        if (identities.enabled()) {
            List<DigestCredential> own = identities.tenant(tenant);
            return AclPolicy.isolating(new UpstreamIdentity(own.stream().map(DigestCredential::authData).toList(),
                    own.stream().map(DigestCredential::id).toList(),
                    platform.stream().map(DigestCredential::id).toList(), DigestCredential::digestId));
        }
        return platform.isEmpty() ? AclPolicy.NONE : AclPolicy.appendOperator("digest", platform.get(0).id());
    }
}
