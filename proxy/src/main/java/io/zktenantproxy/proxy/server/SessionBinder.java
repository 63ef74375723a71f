package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.handler.timeout.IdleStateHandler;
import io.zktenantproxy.protocol.ConnectRequest;
import io.zktenantproxy.protocol.ConnectResponse;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Requests;
import io.zktenantproxy.protocol.TenantConnection;
import io.zktenantproxy.protocol.Xids;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties the session the ensemble established to the connection's tenant: the {@link SessionGate} records the binding,
 * a new session gets its ownership marker (an ephemeral znode created on the session itself, see
 * {@link SessionRegistry}), the tenant's session gauge counts it, and the idle timeout widens to the negotiated
 * session timeout. Owned by the client channel's event loop.
 */
final class SessionBinder {
    private static final Logger LOG = LoggerFactory.getLogger(SessionBinder.class);

    private final Tenant tenant;
    private final SessionGate gate;
    private final int idleTimeoutMs;
    private boolean newSession;
    private long sessionId;
    private boolean counted;

    /** @param idleTimeoutMs {@code limits.idleTimeoutMs}, the idle timeout before a session is established */
    SessionBinder(Tenant tenant, SessionGate gate, int idleTimeoutMs) {
        this.tenant = tenant;
        this.gate = gate;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /** The client's handshake: whether it asks for a new session decides whether a marker is created. */
    void requested(ConnectRequest request) {
        newSession = request.sessionId() == 0;
    }

    /**
     * The ensemble answered the handshake.
     *
     * @param protocol the connection's protocol state, which queues the marker's create on the session
     * @param relay    where the marker's create is written
     */
    void established(ConnectResponse response, TenantConnection protocol, Relay relay, Channel client) {
        HandshakeSlots.handshakeDone(client);
        if (response.expired()) {
            LOG.debug("tenant {}: session expired, the ensemble refused to resume it", tenant.name());
            return;
        }
        sessionId = response.sessionId();
        gate.bind(tenant, sessionId, response.timeOutMs());
        if (newSession) {
            // the ownership marker lives on the session itself, so it expires with it (see SessionRegistry)
            relay.toUpstream(protocol.sendOnSession(OpCode.CREATE, Requests.createEphemeral(client.alloc(),
                    Xids.PROXY, SessionRegistry.markerPath(sessionId), tenant.name().getBytes(StandardCharsets.UTF_8),
                    tenant.aclPolicy())));
        }
        tenant.meters().sessions(1);
        counted = true;
        if (response.timeOutMs() > idleTimeoutMs) {
            // a live client pings every third of its session timeout: never call it idle before that timeout
            client.pipeline().replace(IdleStateHandler.class, ConnectionInitializer.IDLE_HANDLER,
                    new IdleStateHandler(response.timeOutMs(), 0, 0, TimeUnit.MILLISECONDS));
        }
        LOG.debug("tenant {}: session 0x{} established, timeout {} ms", tenant.name(), Long.toHexString(sessionId),
                response.timeOutMs());
    }

    /** @return the established session's id, 0 before */
    long sessionId() {
        return sessionId;
    }

    /** The connection closed: the session is no longer served through it. Call once. */
    void closed() {
        if (counted) {
            tenant.meters().sessions(-1);
        }
    }
}
