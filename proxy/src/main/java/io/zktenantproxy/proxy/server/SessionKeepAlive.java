package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.TenantConnection;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a session alive upstream while the proxy answers its requests itself. The ensemble expires a session that
 * sends nothing for its timeout, and a client pings only after a third of it without sending: a client busy retrying
 * writes the proxy refuses (over a quota) sends nothing the ensemble sees and does not ping either. So when the proxy
 * answers a request itself and nothing has gone upstream for a third of the negotiated timeout, a ping of the proxy's
 * own goes ({@link TenantConnection#keepAlive}). Owned by the connection's event loop.
 */
final class SessionKeepAlive {
    private final TenantConnection protocol;
    private final Relay relay;
    private long lastSentNanos = System.nanoTime();

    SessionKeepAlive(TenantConnection protocol, Relay relay) {
        this.protocol = protocol;
        this.relay = relay;
    }

    /** A frame of the client went upstream. */
    void sent() {
        lastSentNanos = System.nanoTime();
    }

    /** The proxy answered a request itself: ping upstream if the session has been quiet there too long. */
    void answeredLocally() {
        long quietMillis = protocol.keepAliveMillis();
        if (quietMillis == 0 || relay.upstream() == null
                || System.nanoTime() - lastSentNanos < TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
            return;
        }
        lastSentNanos = System.nanoTime();
        relay.toUpstream(protocol.keepAlive(relay.upstream().alloc()));
    }
}
