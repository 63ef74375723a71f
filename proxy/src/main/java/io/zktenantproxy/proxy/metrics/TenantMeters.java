package io.zktenantproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one tenant. Counters for the common outcomes are created up front, indexed by opcode, so the
 * per-request cost is an array read and an increment; error-code counters are created on first use (their tags
 * come from a closed set: {@code KeeperException.Code} values).
 *
 * <ul>
 *   <li>{@code zktp_requests_total{tenant, op, outcome}}: outcome {@code ok}, {@code refused}, or the error code
 *       name the ensemble or the proxy answered ({@code err_-101} style, numeric as ZooKeeper sends it);</li>
 *   <li>{@code zktp_upstream_latency_seconds{tenant, op}}: request sent to reply received, a histogram;</li>
 *   <li>{@code zktp_upstream_requests_latency_total{tenant, class=fast|slow}} against the slow threshold;</li>
 *   <li>{@code zktp_connections_active{tenant}}, {@code zktp_sessions_active{tenant}};</li>
 *   <li>{@code zktp_bytes_total{tenant, direction=in|out}}, {@code zktp_watch_events_total{tenant}};</li>
 *   <li>{@code zktp_connections_closed_total{tenant, reason}}, {@code zktp_isolation_violations_total{tenant}}.</li>
 * </ul>
 */
public final class TenantMeters {
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofNanos(2_500_000_000L), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final String tenant;
    private final long slowNanos;
    private final Counter[] ok = new Counter[OpCode.values().length];
    private final Counter[] refused = new Counter[OpCode.values().length];
    private final Timer[] latency = new Timer[OpCode.values().length];
    private final Map<Long, Counter> errors = new ConcurrentHashMap<>();
    private final Map<CloseReason, Counter> closed = new ConcurrentHashMap<>();
    private final Counter unknownOpRefused;
    private final Counter fast;
    private final Counter slow;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter watchEvents;
    private final Counter isolationViolations;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger sessions = new AtomicInteger();

    TenantMeters(MeterRegistry registry, String tenant, Duration slowThreshold) {
        this.registry = registry;
        this.tenant = tenant;
        this.slowNanos = slowThreshold.toNanos();
        for (OpCode op : OpCode.values()) {
            String name = opTag(op);
            ok[op.ordinal()] = requests(name, "ok");
            refused[op.ordinal()] = requests(name, "refused");
            latency[op.ordinal()] = Timer.builder(ProxyMetrics.PREFIX + ".upstream.latency")
                    .description("Time from forwarding a request to receiving its reply from the ensemble")
                    .tags("tenant", tenant, "op", name)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
        }
        unknownOpRefused = requests("unknown", "refused");
        fast = latencyClass("fast");
        slow = latencyClass("slow");
        bytesIn = bytes("in");
        bytesOut = bytes("out");
        watchEvents = Counter.builder(ProxyMetrics.PREFIX + ".watch.events").description("Watch events delivered")
                .tag("tenant", tenant).register(registry);
        isolationViolations = Counter.builder(ProxyMetrics.PREFIX + ".isolation.violations")
                .description("Server paths outside the tenant's chroot; each closed its connection")
                .tag("tenant", tenant).register(registry);
        Gauge.builder(ProxyMetrics.PREFIX + ".connections.active", connections, AtomicInteger::get)
                .description("Open client connections").tag("tenant", tenant).register(registry);
        Gauge.builder(ProxyMetrics.PREFIX + ".sessions.active", sessions, AtomicInteger::get)
                .description("Client connections with an established ZooKeeper session").tag("tenant", tenant)
                .register(registry);
    }

    /** The {@code op} tag: the opcode's name as ZooKeeper spells it in {@code ZooDefs.OpCode}. */
    public static String opTag(OpCode op) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : op.name().toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    private Counter requests(String op, String outcome) {
        return Counter.builder(ProxyMetrics.PREFIX + ".requests").description("Client requests by outcome")
                .tags("tenant", tenant, "op", op, "outcome", outcome).register(registry);
    }

    private Counter latencyClass(String kind) {
        return Counter.builder(ProxyMetrics.PREFIX + ".upstream.requests.latency")
                .description("Upstream replies faster or slower than the slow threshold")
                .tags("tenant", tenant, "class", kind).register(registry);
    }

    private Counter bytes(String direction) {
        return Counter.builder(ProxyMetrics.PREFIX + ".bytes").baseUnit("bytes")
                .description("Bytes received from (in) and sent to (out) this tenant's clients")
                .tags("tenant", tenant, "direction", direction).register(registry);
    }

    public String tenant() {
        return tenant;
    }

    /** A reply from the ensemble to a request of {@code op}. */
    public void upstreamReply(OpCode op, int err, long latencyNanos) {
        latency[op.ordinal()].record(latencyNanos, TimeUnit.NANOSECONDS);
        (latencyNanos > slowNanos ? slow : fast).increment();
        outcome(op, err);
    }

    /** A request the proxy answered itself with {@code err} (refusal or an invalid path). */
    public void answeredByProxy(OpCode op, int err) {
        if (op == null) {
            unknownOpRefused.increment();
        } else if (err == KeeperCode.OK) {
            ok[op.ordinal()].increment();
        } else {
            refused[op.ordinal()].increment();
        }
    }

    private void outcome(OpCode op, int err) {
        if (err == KeeperCode.OK) {
            ok[op.ordinal()].increment();
        } else {
            long key = ((long) op.ordinal() << 32) | (err & 0xffffffffL);
            errors.computeIfAbsent(key, k -> requests(opTag(op), "err_" + err)).increment();
        }
    }

    public void bytesIn(int bytes) {
        bytesIn.increment(bytes);
    }

    public void bytesOut(int bytes) {
        bytesOut.increment(bytes);
    }

    public void watchEvent() {
        watchEvents.increment();
    }

    public void isolationViolation() {
        isolationViolations.increment();
    }

    public void connectionClosed(CloseReason reason) {
        closed.computeIfAbsent(reason, r -> Counter.builder(ProxyMetrics.PREFIX + ".connections.closed")
                .description("Client connections closed, by reason").tags("tenant", tenant, "reason", r.tag())
                .register(registry)).increment();
    }

    /** @return the open connection count after adding {@code delta} */
    public int connections(int delta) {
        return connections.addAndGet(delta);
    }

    public void sessions(int delta) {
        sessions.addAndGet(delta);
    }

    public int connections() {
        return connections.get();
    }

    public int sessions() {
        return sessions.get();
    }
}
