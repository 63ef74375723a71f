package io.zktenantproxy.proxy.server;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.metrics.CloseReason;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * What a new connection must pass before its handshake: the tenant's connection limit
 * ({@code limits.maxConnectionsPerTenant}, on this instance) and the handshake deadline
 * ({@code limits.handshakeTimeoutMs}: a client that sends no {@code ConnectRequest} in time is closed). Counts the
 * tenant's open connections from {@link #open} to {@link #closed}. Owned by the client channel's event loop.
 */
final class Admission {
    private final Limits limits;
    private final TenantMeters meters;
    private ScheduledFuture<?> handshakeDeadline;

    Admission(Limits limits, TenantMeters meters) {
        this.limits = limits;
        this.meters = meters;
    }

    /**
     * Counts the connection, refuses it beyond the limit, else starts the handshake deadline.
     *
     * @param refuse closes the connection with a reason and a detail for the log; may run later, on {@code loop}
     */
    void open(EventLoop loop, BiConsumer<CloseReason, String> refuse) {
        int open = meters.connections(1);
        if (open > limits.maxConnectionsPerTenant()) {
            refuse.accept(CloseReason.TOO_MANY_CONNECTIONS, "tenant has " + (open - 1) + " connections (limit "
                    + limits.maxConnectionsPerTenant() + ")");
            return;
        }
        handshakeDeadline = loop.schedule(() -> refuse.accept(CloseReason.HANDSHAKE_TIMEOUT,
                "no ConnectRequest within " + limits.handshakeTimeoutMs() + " ms"),
                limits.handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the handshake deadline: the client sent something in time (its ConnectRequest, a four-letter word, or a
     * first frame that waits for the tenant's budget: the wait is then the budget's, not the client's), or the
     * connection is closing anyway.
     */
    void cancelDeadline() {
        if (handshakeDeadline != null) {
            handshakeDeadline.cancel(false);
            handshakeDeadline = null;
        }
    }

    /** The connection is closing: stop the deadline and uncount it. Call once. */
    void closed() {
        cancelDeadline();
        meters.connections(-1);
    }
}
