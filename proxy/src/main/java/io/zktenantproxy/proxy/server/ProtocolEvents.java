package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.protocol.TenantConnection;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the protocol state of one connection reports ({@link TenantConnection.Observer}) turned into the tenant's
 * meters and log lines: replies and their latency, watch events and watches held, quota refusals, and the reply to
 * the session-ownership marker the proxy creates on a new session.
 */
final class ProtocolEvents implements TenantConnection.Observer {
    private static final Logger LOG = LoggerFactory.getLogger(ProtocolEvents.class);

    private final String tenant;
    private final TenantMeters meters;
    private final LongSupplier sessionId;
    private final Runnable markerRefused;

    /**
     * @param sessionId     the connection's session id, for log lines (0 before the session is established)
     * @param markerRefused called when the ensemble refuses the session marker with {@code NOAUTH}
     */
    ProtocolEvents(String tenant, TenantMeters meters, LongSupplier sessionId, Runnable markerRefused) {
        this.tenant = tenant;
        this.meters = meters;
        this.sessionId = sessionId;
        this.markerRefused = markerRefused;
    }

    @Override
    public void onReply(OpCode op, int err, long latencyNanos) {
        meters.upstreamReply(op, err, latencyNanos);
    }

    @Override
    public void onNotification() {
        meters.watchEvent();
    }

    @Override
    public void onQuotaExceeded(QuotaKind kind) {
        meters.quota().exceeded(kind);
    }

    @Override
    public void onWatchCount(int delta) {
        meters.quota().watchesHeld(delta);
    }

    @Override
    public void onProxyReply(OpCode op, int err) {
        if (err == KeeperCode.NO_AUTH) {
            markerRefused.run();
        }
        if (err != 0) {
            LOG.warn("tenant {}: session 0x{}: ownership marker not created (error {}); resumes through other "
                    + "proxy instances cannot be checked", tenant, Long.toHexString(sessionId.getAsLong()), err);
        }
    }
}
