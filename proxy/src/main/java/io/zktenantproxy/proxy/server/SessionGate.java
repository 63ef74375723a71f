package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.ConnectRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Decides whether a client's {@code ConnectRequest} may go to the ensemble, and remembers which tenant each
 * established session belongs to. {@link EnsembleSessionGate} asks the ensemble (chroot provisioning, session
 * ownership markers); the handler tests use one that lets everything through.
 */
interface SessionGate {
    /**
     * @param tenant  the connection's tenant, as the {@link TenantResolver} decided it
     * @param request the client's handshake: {@code sessionId} 0 asks for a new session, any other resumes one
     * @return completes when the request may go upstream; fails with a {@link GateRefusal} saying why not
     */
    CompletableFuture<Void> admit(Tenant tenant, ConnectRequest request);

    /**
     * Records that the ensemble established (created or resumed) {@code sessionId} for {@code tenant}.
     *
     * @param timeoutMs the negotiated session timeout, ms
     */
    void bind(Tenant tenant, long sessionId, int timeoutMs);

    /**
     * The ensemble refused a session marker of {@code tenant} with {@code NOAUTH}: whatever let the tenant create
     * markers is gone (the marker root's ACL was changed, e.g. by {@code migrate-acls} for other tenants), so the next
     * connection must ask for it again.
     */
    default void markerRefused(Tenant tenant) {
    }
}
