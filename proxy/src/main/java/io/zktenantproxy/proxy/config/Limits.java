package io.zktenantproxy.proxy.config;

import io.zktenantproxy.protocol.FrameDecoder;

/**
 * Per-connection and per-tenant bounds. Every field is optional in YAML; null takes the default shown.
 *
 * @param maxFrameBytes            largest frame body accepted from a client or the ensemble, bytes
 *                                 (default 1 MiB + 1 KiB, like {@code jute.maxbuffer} plus header slack)
 * @param maxInFlight              requests a connection may have waiting for replies before the proxy stops reading
 *                                 from it (default 1000)
 * @param maxConnectionsPerTenant  open client connections per tenant; more are closed at accept (default 1000)
 * @param handshakeTimeoutMs       a connection that has not sent its ConnectRequest by then is closed
 *                                 (default 10 000 ms)
 * @param idleTimeoutMs            a connection silent this long is closed; ZooKeeper clients ping every third of
 *                                 their session timeout, so only a dead client stays silent (default 120 000 ms)
 * @param upstreamConnectTimeoutMs time to open a TCP connection to one ensemble server (default 5 000 ms)
 */
public record Limits(Integer maxFrameBytes, Integer maxInFlight, Integer maxConnectionsPerTenant,
                     Integer handshakeTimeoutMs, Integer idleTimeoutMs, Integer upstreamConnectTimeoutMs) {
    public Limits {
        maxFrameBytes = maxFrameBytes != null ? maxFrameBytes : FrameDecoder.DEFAULT_MAX_FRAME_LENGTH;
        maxInFlight = maxInFlight != null ? maxInFlight : 1000;
        maxConnectionsPerTenant = maxConnectionsPerTenant != null ? maxConnectionsPerTenant : 1000;
        handshakeTimeoutMs = handshakeTimeoutMs != null ? handshakeTimeoutMs : 10_000;
        idleTimeoutMs = idleTimeoutMs != null ? idleTimeoutMs : 120_000;
        upstreamConnectTimeoutMs = upstreamConnectTimeoutMs != null ? upstreamConnectTimeoutMs : 5_000;
    }

    /** @return all defaults */
    public static Limits defaults() {
        return new Limits(null, null, null, null, null, null);
    }
}
