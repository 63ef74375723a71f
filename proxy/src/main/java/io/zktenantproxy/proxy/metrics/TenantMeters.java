package io.zktenantproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one tenant, held by every connection of the tenant so that recording needs no look-up by name.
 * Per-opcode and per-error-code meters sit in {@link LazyMeters} tables indexed by {@code OpCode.ordinal()} and
 * {@link ErrorCodes#slot}: recording a request costs an array read and an increment, and a series appears once it
 * first moves. Every tag value comes from an enum or the configured tenant name. Thread-safe: the tenant's
 * connections run on several event loops.
 *
 * <p>Meter names and tags are listed in {@code docs/METRICS.md}; {@link MeterNames} holds them.
 */
public final class TenantMeters {
    private static final int OPS = OpCode.values().length;
    private static final String[] OP_TAGS = new String[OPS];

    static {
        for (OpCode op : OpCode.values()) {
            OP_TAGS[op.ordinal()] = opTag(op);
        }
    }

    private final MeterRegistry registry;
    private final String tenant;
    private final long slowNanos;
    private final LazyMeters<Counter> ok;
    private final LazyMeters<Counter> refused;
    private final LazyMeters<Counter> errors;
    private final LazyMeters<Counter> refusedByReason;
    private final LazyMeters<Timer> latency;
    private final LazyMeters<Counter> fast;
    private final LazyMeters<Counter> slow;
    private final LazyMeters<Counter> closed;
    private final Counter unknownOpRefused;
    private final Counter bytesIn;
    private final Counter bytesOut;
    private final Counter watchEvents;
    private final Counter isolationViolations;
    private final Timer paced;
    private final Timer listenerPaused;
    private final QuotaMeters quota;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger sessions = new AtomicInteger();

    /**
     * Registers the tenant's always-present meters (gauges, byte and event counters).
     *
     * @param slowThreshold upstream latency above which a reply counts as slow
     */
    TenantMeters(MeterRegistry registry, String tenant, Duration slowThreshold) {
        this.registry = registry;
        this.tenant = tenant;
        this.slowNanos = slowThreshold.toNanos();
        ok = new LazyMeters<>(OPS, op -> requests(OP_TAGS[op], "ok"));
        refused = new LazyMeters<>(OPS, op -> requests(OP_TAGS[op], "refused"));
        errors = new LazyMeters<>(OPS * ErrorCodes.SLOTS,
                i -> requests(OP_TAGS[i / ErrorCodes.SLOTS], ErrorCodes.tag(i % ErrorCodes.SLOTS)));
        refusedByReason = new LazyMeters<>(ErrorCodes.SLOTS, slot -> Counter.builder(MeterNames.REFUSED)
                .description("Requests the proxy answered itself with an error, by the error code it answered")
                .tags(MeterNames.TENANT, tenant, MeterNames.REASON, ErrorCodes.tag(slot)).register(registry));
        latency = new LazyMeters<>(OPS, op -> Timer.builder(MeterNames.UPSTREAM_LATENCY)
                .description("Time from forwarding a request to receiving its reply from the ensemble")
                .tags(MeterNames.TENANT, tenant, MeterNames.OP, OP_TAGS[op])
                .serviceLevelObjectives(MeterNames.LATENCY_BUCKETS)
                .register(registry));
        fast = new LazyMeters<>(OPS, op -> speed(OP_TAGS[op], "fast"));
        slow = new LazyMeters<>(OPS, op -> speed(OP_TAGS[op], "slow"));
        closed = new LazyMeters<>(CloseReason.values().length, r -> Counter.builder(MeterNames.CONNECTIONS_CLOSED)
                .description("Client connections closed, by reason")
                .tags(MeterNames.TENANT, tenant, MeterNames.REASON, CloseReason.values()[r].tag())
                .register(registry));
        unknownOpRefused = requests("unknown", "refused");
        bytesIn = bytes("in");
        bytesOut = bytes("out");
        watchEvents = Counter.builder(MeterNames.WATCH_EVENTS).description("Watch events delivered to clients")
                .tag(MeterNames.TENANT, tenant).register(registry);
        isolationViolations = Counter.builder(MeterNames.ISOLATION_VIOLATIONS)
                .description("Server paths outside the tenant's chroot; each closed its connection")
                .tag(MeterNames.TENANT, tenant).register(registry);
        paced = Timer.builder(MeterNames.REQUESTS_PACED)
                .description("Client frames held back to keep the tenant within its requests and bytes per second, "
                        + "and how long each waited")
                .tag(MeterNames.TENANT, tenant).register(registry);
        listenerPaused = Timer.builder(MeterNames.LISTENER_PAUSED)
                .description("Times the tenant's listener stopped accepting to keep within its connections per "
                        + "second, and for how long")
                .tag(MeterNames.TENANT, tenant).register(registry);
        quota = new QuotaMeters(registry, tenant);
        Gauge.builder(MeterNames.CONNECTIONS_ACTIVE, connections, AtomicInteger::get)
                .description("Open client connections").tag(MeterNames.TENANT, tenant).register(registry);
        Gauge.builder(MeterNames.SESSIONS_ACTIVE, sessions, AtomicInteger::get)
                .description("Client connections with an established ZooKeeper session")
                .tag(MeterNames.TENANT, tenant).register(registry);
    }

    /** @return the tenant's quota and watch meters */
    public QuotaMeters quota() {
        return quota;
    }


    /** @return the {@code op} tag: the opcode's name as {@code ZooDefs.OpCode} spells it, e.g. {@code getChildren2} */
    public static String opTag(OpCode op) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : op.name().toLowerCase(Locale.ROOT).toCharArray()) {
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
        return Counter.builder(MeterNames.REQUESTS).description("Client requests, by opcode and outcome")
                .tags(MeterNames.TENANT, tenant, MeterNames.OP, op, MeterNames.OUTCOME, outcome).register(registry);
    }

    private Counter speed(String op, String speed) {
        return Counter.builder(MeterNames.UPSTREAM_REPLIES)
                .description("Upstream replies faster (fast) or slower (slow) than the slow threshold")
                .tags(MeterNames.TENANT, tenant, MeterNames.OP, op, MeterNames.SPEED, speed).register(registry);
    }

    private Counter bytes(String direction) {
        return Counter.builder(MeterNames.BYTES).baseUnit("bytes")
                .description("Bytes received from (in) and sent to (out) this tenant's clients")
                .tags(MeterNames.TENANT, tenant, MeterNames.DIRECTION, direction).register(registry);
    }

    /** @return the tenant name, as configured */
    public String tenant() {
        return tenant;
    }

    /**
     * Records a reply from the ensemble: the request's outcome, its latency and whether it was slow.
     *
     * @param err          the reply's {@code ReplyHeader.err}
     * @param latencyNanos from forwarding the request to receiving the reply, nanoseconds
     */
    public void upstreamReply(OpCode op, int err, long latencyNanos) {
        int i = op.ordinal();
        latency.get(i).record(latencyNanos, TimeUnit.NANOSECONDS);
        (latencyNanos > slowNanos ? slow : fast).get(i).increment();
        if (err == KeeperCode.OK) {
            ok.get(i).increment();
        } else {
            errors.get(i * ErrorCodes.SLOTS + ErrorCodes.slot(err)).increment();
        }
    }

    /**
     * Records a request the proxy answered itself: {@code ok} when it served it ({@code /zookeeper/config}),
     * else {@code refused}, also counted by the error code answered.
     *
     * @param op  the request's opcode, or null for a code ZooKeeper does not define
     * @param err the {@link KeeperCode} the proxy answered
     */
    public void answeredByProxy(OpCode op, int err) {
        if (err == KeeperCode.OK && op != null) {
            ok.get(op.ordinal()).increment();
            return;
        }
        (op == null ? unknownOpRefused : refused.get(op.ordinal())).increment();
        refusedByReason.get(ErrorCodes.slot(err)).increment();
    }

    /** @param bytes a frame received from a client, length prefix included */
    public void bytesIn(int bytes) {
        bytesIn.increment(bytes);
    }

    /** @param bytes a frame sent to a client, length prefix included */
    public void bytesOut(int bytes) {
        bytesOut.increment(bytes);
    }

    /**
     * Records a client frame held back by the tenant's budget.
     *
     * @param waitNanos how long it waits for its slot (0 when it only waits behind frames that do)
     */
    public void paced(long waitNanos) {
        paced.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    /** @param pauseNanos how long the tenant's listener stops accepting connections */
    public void acceptsPaused(long pauseNanos) {
        listenerPaused.record(pauseNanos, TimeUnit.NANOSECONDS);
    }

    /** Records a watch event delivered to a client. */
    public void watchEvent() {
        watchEvents.increment();
    }

    /** Records a server path outside the chroot (the connection is closed as well). */
    public void isolationViolation() {
        isolationViolations.increment();
    }

    /** Records a closed client connection. */
    public void connectionClosed(CloseReason reason) {
        closed.get(reason.ordinal()).increment();
    }

    /** @return the open connection count after adding {@code delta} */
    public int connections(int delta) {
        return connections.addAndGet(delta);
    }

    /** Adds {@code delta} to the established-session count. */
    public void sessions(int delta) {
        sessions.addAndGet(delta);
    }

    /** @return open client connections */
    public int connections() {
        return connections.get();
    }

    /** @return client connections with an established session */
    public int sessions() {
        return sessions.get();
    }

    /** @return client frames held back by the tenant's budget so far */
    public long paced() {
        return paced.count();
    }

    /** @return every request counted so far, whatever its opcode and outcome (sums the counters; not for hot paths) */
    public long requests() {
        double sum = unknownOpRefused.count() + sum(ok) + sum(refused) + sum(errors);
        return (long) sum;
    }

    private static double sum(LazyMeters<Counter> counters) {
        double sum = 0;
        for (int i = 0; i < counters.size(); i++) {
            Counter c = counters.peek(i);
            if (c != null) {
                sum += c.count();
            }
        }
        return sum;
    }
}
