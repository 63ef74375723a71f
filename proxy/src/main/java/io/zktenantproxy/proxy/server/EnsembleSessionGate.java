package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.ConnectRequest;
import io.zktenantproxy.proxy.metrics.CloseReason;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link SessionGate} of the running proxy. A handshake goes upstream once the tenant's chroot and the
 * session-marker root exist and the tenant's identity may create its markers there ({@link ChrootProvisioner}), the ensemble counts the tenant's usage when it has a znode or
 * byte quota ({@code TenantQuota#provision}) and, for a resume, once the ensemble confirms that no other
 * tenant created the session ({@link SessionRegistry}): the session password proves the session, not the tenant.
 */
final class EnsembleSessionGate implements SessionGate {
    private final ChrootProvisioner provisioner;
    private final SessionRegistry registry;

    EnsembleSessionGate(ChrootProvisioner provisioner, SessionRegistry registry) {
        this.provisioner = provisioner;
        this.registry = registry;
    }

    @Override
    public CompletableFuture<Void> admit(Tenant tenant, ConnectRequest request) {
        long sessionId = request.sessionId();
        CompletableFuture<String> owner = sessionId == 0
                ? CompletableFuture.completedFuture(null) : registry.owner(sessionId);
        CompletableFuture<Void> provisioned = CompletableFuture.allOf(
                provisioner.ensure(tenant.name(), tenant.chroot().root()), provisioner.ensureMarkerGrant(tenant.name()));
        CompletableFuture<Void> counted = tenant.quota() == null
                ? CompletableFuture.completedFuture(null) : tenant.quota().provision();
        CompletableFuture<Void> quota = counted.handle((ignored, error) -> {
            if (error != null) {
                throw new GateRefusal(CloseReason.QUOTA_UNAVAILABLE, "the tenant's usage cannot be counted: "
                        + rootCause(error));
            }
            return null;
        });
        return owner.thenCombine(provisioned, (ownerName, ignored) -> ownerName).handle((ownerName, error) -> {
            if (error != null) {
                throw new GateRefusal(CloseReason.CHROOT_UNAVAILABLE, "chroot or session check unavailable: "
                        + rootCause(error));
            }
            if (ownerName != null && !ownerName.equals(tenant.name())) {
                throw new GateRefusal(CloseReason.SESSION_OF_OTHER_TENANT, "session 0x" + Long.toHexString(sessionId)
                        + " belongs to another tenant");
            }
            return null;
        }).thenCombine(quota, (ignored, alsoIgnored) -> null);
    }

    @Override
    public void bind(Tenant tenant, long sessionId, int timeoutMs) {
        registry.bind(sessionId, tenant.name(), timeoutMs);
    }

    @Override
    public void markerRefused(Tenant tenant) {
        provisioner.forgetMarkerGrant(tenant.name());
    }

    private static String rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }
}
