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
 * @param requestsPerSecond        a tenant's request budget on this proxy instance, shared by all its connections:
 *                                 frames per second (pings and the ConnectRequest included), with a burst of one
 *                                 second's worth; beyond it the tenant's frames are paced, never refused
 *                                 (default 10 000; 0 = no budget). A tenant's own {@code requestsPerSecond} wins.
 * @param bytesPerSecond           a tenant's byte budget on this proxy instance: request and reply frames per second,
 *                                 burst of one second's worth (default 32 MiB; 0 = no budget). A tenant's own
 *                                 {@code bytesPerSecond} wins.
 * @param connectionsPerSecond     connections a tenant's listener accepts per second, burst of one second's worth;
 *                                 beyond it the listener pauses and new connections wait in the kernel's accept
 *                                 queue (default 1 000; 0 = no budget). When a replica dies, all its sessions of the
 *                                 tenant resume on the survivors at once and wait for this budget: it must let them
 *                                 in well within their session timeout (docs/RELIABILITY.md, "Reconnect storm")
 * @param quotaZnodes              znodes a tenant may keep on the ensemble, across every proxy instance: every kind,
 *                                 under its chroot, the chroot itself not counted (default 10 000; 0 = no limit).
 *                                 A tenant's own {@code quotaZnodes} wins. See {@link QuotaLimits}.
 * @param quotaBytes               bytes a tenant may keep on the ensemble: data plus {@code quotaBytesPerZnode} per
 *                                 znode (default 32 MiB; 0 = no limit). A tenant's own {@code quotaBytes} wins.
 * @param maxWatchesPerSession     watches one session may hold on the ensemble (default 10 000; 0 = no limit). A
 *                                 tenant's own {@code maxWatchesPerSession} wins.
 * @param quotaBytesPerZnode       what each znode is charged beside its data, and the most its path (stored twice by
 *                                 ZooKeeper) and ACL list may take: {@code 2 * path + acl <= quotaBytesPerZnode}
 *                                 (default 1 024 bytes)
 * @param drainMs                  after a reload removes a tenant, how long its open connections are left to finish
 *                                 before the proxy closes them (its listener stops accepting at once; default 30 000)
 * @param upstreamMovesPerSecond   after a reload changes the upstream connect string, how many client connections a
 *                                 second the proxy closes so that they reconnect, and resume their sessions, through
 *                                 the new servers (default 20)
 * @param maxHandshakesInProgress  connections of one listener in their handshake at a time, from the accept to the
 *                                 session's ConnectResponse (TLS handshake, ownership check, upstream connect);
 *                                 more wait, unread, newest first (default
 *                                 {@value #DEFAULT_MAX_HANDSHAKES_IN_PROGRESS}; 0 = no limit). Keeps a reconnect
 *                                 storm from collapsing into handshakes whose clients have already given up
 *                                 (docs/RELIABILITY.md, "Reconnect storm")
 * @param handshakeWaitMs          longest a connection waits for a handshake slot before it is closed unread, so that
 *                                 its client retries, through another server of its connect string (default
 *                                 {@value #DEFAULT_HANDSHAKE_WAIT_MS} ms)
 */
public record Limits(Integer maxFrameBytes, Integer maxInFlight, Integer maxConnectionsPerTenant,
                     Integer handshakeTimeoutMs, Integer idleTimeoutMs, Integer upstreamConnectTimeoutMs,
                     Integer requestsPerSecond, Integer bytesPerSecond, Integer connectionsPerSecond,
                     Long quotaZnodes, Long quotaBytes, Integer maxWatchesPerSession, Integer quotaBytesPerZnode,
                     Integer drainMs, Integer upstreamMovesPerSecond, Integer maxHandshakesInProgress,
                     Integer handshakeWaitMs) {
    /** Default of {@link #requestsPerSecond}: far above what Flink HA needs, far below what saturates an ensemble. */
    public static final int DEFAULT_REQUESTS_PER_SECOND = 10_000;
    /** Default of {@link #bytesPerSecond}: 32 MiB. */
    public static final int DEFAULT_BYTES_PER_SECOND = 32 * 1024 * 1024;
    /**
     * Default of {@link #connectionsPerSecond}. At 200 (the default before issue 17) the 5 000 sessions (30 s timeout)
     * of a replica killed with SIGKILL took 13.5 s to resume on two survivors, and on a single survivor 1 020 of them
     * expired: clients that waited in the accept queue longer than their connect timeout gave up, and the listener
     * then spent its budget accepting their abandoned connections. At 1 000 every session resumed, in 6.1 s and
     * 5.5 s. A tenant reconnecting in a loop still churns at most this many connections a second.
     */
    public static final int DEFAULT_CONNECTIONS_PER_SECOND = 1000;
    /**
     * Default of {@link #quotaZnodes}: one Flink cluster with one job keeps 25 znodes (measured with the fraud job);
     * 10 000 leaves room for a few clusters with dozens of jobs and retained checkpoints each.
     */
    public static final long DEFAULT_QUOTA_ZNODES = 10_000;
    /** Default of {@link #quotaBytes}: 32 MiB, room for the default znode quota at its per-znode charge and data. */
    public static final long DEFAULT_QUOTA_BYTES = 32L * 1024 * 1024;
    /** Default of {@link #maxWatchesPerSession}. */
    public static final int DEFAULT_MAX_WATCHES_PER_SESSION = 10_000;
    /**
     * Default of {@link #maxHandshakesInProgress}: enough to keep the ensemble's round trips of the handshakes in
     * flight, few enough that 64 TLS resumes at 2 to 5 ms of CPU each finish well within a second on one event loop.
     * In a TLS reconnect storm of 5 000 sessions (docs/RELIABILITY.md) no connection then outlived its client's connect
     * timeout, where 256 let 1 160 of them do so and no limit collapsed (82 of 5 000 sessions resumed).
     */
    public static final int DEFAULT_MAX_HANDSHAKES_IN_PROGRESS = 64;
    /**
     * Default of {@link #handshakeWaitMs}: below the shortest connect timeout a ZooKeeper client commonly has (session
     * timeout / servers in the connect string: 10 s at 30 s over 3), so a shed client still has time to try another
     * server before its session's timer runs out.
     */
    public static final int DEFAULT_HANDSHAKE_WAIT_MS = 2_000;
    /** Default of {@link #quotaBytesPerZnode}. */
    public static final int DEFAULT_QUOTA_BYTES_PER_ZNODE = 1024;

    public Limits {
        maxFrameBytes = maxFrameBytes != null ? maxFrameBytes : FrameDecoder.DEFAULT_MAX_FRAME_LENGTH;
        maxInFlight = maxInFlight != null ? maxInFlight : 1000;
        maxConnectionsPerTenant = maxConnectionsPerTenant != null ? maxConnectionsPerTenant : 1000;
        handshakeTimeoutMs = handshakeTimeoutMs != null ? handshakeTimeoutMs : 10_000;
        idleTimeoutMs = idleTimeoutMs != null ? idleTimeoutMs : 120_000;
        upstreamConnectTimeoutMs = upstreamConnectTimeoutMs != null ? upstreamConnectTimeoutMs : 5_000;
        requestsPerSecond = requestsPerSecond != null ? requestsPerSecond : DEFAULT_REQUESTS_PER_SECOND;
        bytesPerSecond = bytesPerSecond != null ? bytesPerSecond : DEFAULT_BYTES_PER_SECOND;
        connectionsPerSecond = connectionsPerSecond != null ? connectionsPerSecond : DEFAULT_CONNECTIONS_PER_SECOND;
        quotaZnodes = quotaZnodes != null ? quotaZnodes : DEFAULT_QUOTA_ZNODES;
        quotaBytes = quotaBytes != null ? quotaBytes : DEFAULT_QUOTA_BYTES;
        maxWatchesPerSession = maxWatchesPerSession != null ? maxWatchesPerSession : DEFAULT_MAX_WATCHES_PER_SESSION;
        quotaBytesPerZnode = quotaBytesPerZnode != null ? quotaBytesPerZnode : DEFAULT_QUOTA_BYTES_PER_ZNODE;
        drainMs = drainMs != null ? drainMs : 30_000;
        upstreamMovesPerSecond = upstreamMovesPerSecond != null ? upstreamMovesPerSecond : 20;
        maxHandshakesInProgress = maxHandshakesInProgress != null ? maxHandshakesInProgress
                : DEFAULT_MAX_HANDSHAKES_IN_PROGRESS;
        handshakeWaitMs = handshakeWaitMs != null ? handshakeWaitMs : DEFAULT_HANDSHAKE_WAIT_MS;
    }

    /** The six connection limits, the budgets at their defaults. */
    public Limits(Integer maxFrameBytes, Integer maxInFlight, Integer maxConnectionsPerTenant,
                  Integer handshakeTimeoutMs, Integer idleTimeoutMs, Integer upstreamConnectTimeoutMs) {
        this(maxFrameBytes, maxInFlight, maxConnectionsPerTenant, handshakeTimeoutMs, idleTimeoutMs,
                upstreamConnectTimeoutMs, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The limits by name, in the order of the record's components, for {@link #with}. */
    public enum Limit {
        MAX_FRAME_BYTES, MAX_IN_FLIGHT, MAX_CONNECTIONS_PER_TENANT, HANDSHAKE_TIMEOUT_MS, IDLE_TIMEOUT_MS,
        UPSTREAM_CONNECT_TIMEOUT_MS, REQUESTS_PER_SECOND, BYTES_PER_SECOND, CONNECTIONS_PER_SECOND, QUOTA_ZNODES,
        QUOTA_BYTES, MAX_WATCHES_PER_SESSION, QUOTA_BYTES_PER_ZNODE, DRAIN_MS, UPSTREAM_MOVES_PER_SECOND,
        MAX_HANDSHAKES_IN_PROGRESS, HANDSHAKE_WAIT_MS
    }

    /** @return all defaults; {@link #with} then sets one limit at a time */
    public static Limits defaults() {
        return new Limits(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    /**
     * @return these limits with {@code limit} set to {@code value} and the others as they are, so that a caller names
     *     what it sets: {@code Limits.defaults().with(Limit.IDLE_TIMEOUT_MS, 60_000)}
     */
    public Limits with(Limit limit, long value) {
        long[] v = {maxFrameBytes, maxInFlight, maxConnectionsPerTenant, handshakeTimeoutMs, idleTimeoutMs,
            upstreamConnectTimeoutMs, requestsPerSecond, bytesPerSecond, connectionsPerSecond, quotaZnodes, quotaBytes,
            maxWatchesPerSession, quotaBytesPerZnode, drainMs, upstreamMovesPerSecond, maxHandshakesInProgress,
            handshakeWaitMs};
        v[limit.ordinal()] = value;
        return new Limits(Math.toIntExact(v[0]), Math.toIntExact(v[1]), Math.toIntExact(v[2]), Math.toIntExact(v[3]),
                Math.toIntExact(v[4]), Math.toIntExact(v[5]), Math.toIntExact(v[6]), Math.toIntExact(v[7]),
                Math.toIntExact(v[8]), v[9], v[10], Math.toIntExact(v[11]), Math.toIntExact(v[12]),
                Math.toIntExact(v[13]), Math.toIntExact(v[14]), Math.toIntExact(v[15]), Math.toIntExact(v[16]));
    }
}
