package io.zktenantproxy.proxy.metrics;

import java.time.Duration;

/**
 * The name of every meter the proxy registers and of every tag it uses, in Micrometer's dotted form; the Prometheus
 * names add {@code _total}, {@code _seconds}, {@code _bytes} as Micrometer does ({@code zktp.requests} is scraped
 * as {@code zktp_requests_total}). {@code docs/METRICS.md} documents each.
 */
public final class MeterNames {
    /** Prefix of every proxy meter. */
    public static final String PREFIX = "zktp";

    /** Counter {tenant, op, outcome}: client requests. */
    public static final String REQUESTS = PREFIX + ".requests";
    /** Counter {tenant, reason}: requests the proxy refused, by the error code it answered. */
    public static final String REFUSED = PREFIX + ".requests.refused";
    /** Timer {tenant}: client frames held back by the tenant's requests/bytes per second budget, and their wait. */
    public static final String REQUESTS_PACED = PREFIX + ".requests.paced";
    /** Timer {tenant}: pauses of the tenant's listener to stay within its connections per second, and their length. */
    public static final String LISTENER_PAUSED = PREFIX + ".listener.paused";
    /** Gauge {listener}: connections between their accept and their session's ConnectResponse. */
    public static final String HANDSHAKES_IN_PROGRESS = PREFIX + ".listener.handshakes.in.progress";
    /** Gauge {listener}: accepted connections waiting, unread, for a handshake slot. */
    public static final String HANDSHAKES_WAITING = PREFIX + ".listener.handshakes.waiting";
    /** Counter {listener}: connections closed unread after waiting too long for a handshake slot. */
    public static final String HANDSHAKES_SHED = PREFIX + ".listener.handshakes.shed";
    /** Timer with histogram buckets {tenant, op}: request forwarded to reply received. */
    public static final String UPSTREAM_LATENCY = PREFIX + ".upstream.latency";
    /** Counter {tenant, op, speed}: replies faster or slower than the slow threshold. */
    public static final String UPSTREAM_REPLIES = PREFIX + ".upstream.replies";
    /** Gauge: the slow threshold, seconds. */
    public static final String SLOW_THRESHOLD = PREFIX + ".upstream.slow.threshold";
    /** Counter {server}: failed TCP connects to an ensemble server. */
    public static final String UPSTREAM_CONNECT_FAILURES = PREFIX + ".upstream.connect.failures";
    /** Gauge {tenant}: open client connections. */
    public static final String CONNECTIONS_ACTIVE = PREFIX + ".connections.active";
    /** Gauge {tenant}: connections with an established session. */
    public static final String SESSIONS_ACTIVE = PREFIX + ".sessions.active";
    /** Counter {tenant, reason}: closed client connections. */
    public static final String CONNECTIONS_CLOSED = PREFIX + ".connections.closed";
    /** Counter {tenant, direction}: client bytes. */
    public static final String BYTES = PREFIX + ".bytes";
    /** Counter {tenant}: watch events delivered. */
    public static final String WATCH_EVENTS = PREFIX + ".watch.events";
    /** Counter {tenant}: server paths outside the tenant's chroot. */
    public static final String ISOLATION_VIOLATIONS = PREFIX + ".isolation.violations";
    /** Counter {tenant, kind}: requests refused with QUOTAEXCEEDED, by the quota they would have crossed. */
    public static final String QUOTA_EXCEEDED = PREFIX + ".quota.exceeded";
    /** Counter {tenant}: writes that waited for a fresh count of the tenant's usage before being decided. */
    public static final String QUOTA_WAITS = PREFIX + ".quota.waits";
    /** Gauge {tenant, kind}: the tenant's usage, znodes or bytes (data plus the per-znode charge), as last counted. */
    public static final String QUOTA_USED = PREFIX + ".quota.used";
    /** Gauge {tenant, kind}: the tenant's quota, znodes, bytes or watches per session (0: none). */
    public static final String QUOTA_LIMIT = PREFIX + ".quota.limit";
    /** Gauge {tenant}: watches held by the tenant's sessions on this instance, all together. */
    public static final String WATCHES_HELD = PREFIX + ".watches.held";
    /** Gauge {tenant}: watches held by the tenant's busiest session on this instance. */
    public static final String WATCHES_HELD_MAX = PREFIX + ".watches.held.max";
    /** Gauge: 1 when ready. */
    public static final String READY = PREFIX + ".ready";
    /** Counter: TLS handshakes on tenant listeners, by {@link #LISTENER} and {@link #OUTCOME}. */
    public static final String TLS_HANDSHAKES = PREFIX + ".tls.handshakes";
    /** Counter: certificate reloads, by {@link #SIDE} ({@code listeners}, {@code upstream}) and {@link #OUTCOME}. */
    public static final String TLS_RELOADS = PREFIX + ".tls.reloads";
    /** Counter {@code zktp_config_reloads_total{outcome}}. */
    public static final String CONFIG_RELOADS = PREFIX + ".config.reloads";
    /** Gauge {tenant, cluster}: 1 when the Flink cluster's leader latch has a holder, else 0. */
    public static final String FLINK_LEADER_PRESENT = PREFIX + ".flink.leader.present";
    /** Gauge {tenant, cluster}: jobs of the Flink cluster found in its HA znodes. */
    public static final String FLINK_JOBS = PREFIX + ".flink.jobs";
    /** Gauge {tenant, cluster, job}: seconds since the job's newest checkpoint pointer was written (its ctime). */
    public static final String FLINK_CHECKPOINT_AGE = PREFIX + ".flink.checkpoint.age";
    /** Gauge {tenant}: the tenant's Flink clusters found orphaned (no leader, no live session, past a threshold). */
    public static final String FLINK_ORPHANED_CLUSTERS = PREFIX + ".flink.orphaned.clusters";
    /** Gauge {tenant, kind}: Flink clusters or jobs found beyond the series bounds, so without series. */
    public static final String FLINK_OVERFLOW = PREFIX + ".flink.overflow";
    /** Timer {tenant, outcome}: scans of a tenant's Flink HA state ({@code ok}, {@code incomplete}, {@code failed}). */
    public static final String FLINK_SCAN = PREFIX + ".flink.scan";

    /** Tag: the configured tenant name. */
    public static final String TENANT = "tenant";
    /** Tag: the opcode as {@code ZooDefs.OpCode} spells it, or {@code unknown}. */
    public static final String OP = "op";
    /** Tag: {@code ok}, {@code refused}, or an error code name in lower case ({@code nonode}). */
    public static final String OUTCOME = "outcome";
    /** Tag: a {@code CloseReason} or, for refusals, an error code name. */
    public static final String REASON = "reason";
    /** Tag: {@code fast} or {@code slow}. */
    public static final String SPEED = "speed";
    /** Tag: {@code in} (from clients) or {@code out} (to clients). */
    public static final String DIRECTION = "direction";
    /** Tag: a quota, {@code znodes}, {@code bytes} or {@code watches}. */
    public static final String KIND = "kind";
    /** Tag: an ensemble server as written in the connect string. */
    public static final String SERVER = "server";
    /** Tag: a listener, the tenant's name or {@code shared}. */
    public static final String LISTENER = "listener";
    /** Tag: a Flink cluster's path in the tenant's tree, e.g. {@code /flink/fraud}; bounded per tenant. */
    public static final String CLUSTER = "cluster";
    /** Tag: a Flink job id, 32 hex digits as Flink names its znodes; bounded per tenant. */
    public static final String JOB = "job";
    /** Tag: which side's certificates, {@code listeners} or {@code upstream}. */
    public static final String SIDE = "side";

    /** Bucket bounds of {@link #UPSTREAM_LATENCY}: 100 µs to 10 s. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofNanos(2_500_000_000L), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private MeterNames() {
    }
}
