package io.zktenantproxy.proxy.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.zktenantproxy.proxy.config.FlinkConfig;
import io.zktenantproxy.proxy.flink.FlinkHaScanner;
import io.zktenantproxy.proxy.flink.FlinkMeters;
import io.zktenantproxy.proxy.flink.FlinkScanLimits;
import io.zktenantproxy.proxy.flink.FlinkView;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic scan behind the Flink meters: every {@code flink.scanIntervalMs} one background thread scans each
 * tenant's Flink HA state in turn ({@link FlinkHaScanner}, through the proxy's own client, within the
 * {@code flink} bounds) and sets the tenant's {@link FlinkMeters}. Never on an event loop, never on a scrape; one
 * tenant at a time, so the ensemble sees at most one scan's reads from this proxy at once.
 *
 * <p>The configuration is read again before every round, so a reload changes the interval, the bounds and the
 * tenants (a removed tenant's series go); {@code scanIntervalMs: 0} removes every series and looks again every
 * {@link #IDLE_RECHECK}. One scanner serves all rounds: it remembers clusters across scans for the orphan decision.
 * A tenant whose scan fails keeps its series as they were; the failure is counted
 * ({@code zktp_flink_scan_seconds{outcome="failed"}}) and logged when the tenant starts and stops failing.
 * The meters map is touched only by the scan thread; {@link #close} stops the thread first.
 */
final class FlinkScanLoop implements AutoCloseable {
    /** How often a turned-off scan looks whether a reload turned it on. */
    static final Duration IDLE_RECHECK = Duration.ofSeconds(30);
    /** Beyond the scan's own time bound, how long to wait for it to answer before counting it failed. */
    private static final long GRACE_MS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger(FlinkScanLoop.class);

    private final ProxyServer proxy;
    private final MeterRegistry registry;
    private final FlinkHaScanner scanner;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "flink-scan");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, FlinkMeters> meters = new HashMap<>();
    private final Set<String> failing = new HashSet<>();
    private volatile boolean closed;

    private FlinkScanLoop(ProxyServer proxy, FlinkHaScanner scanner) {
        this.proxy = proxy;
        this.registry = proxy.metrics().registry();
        this.scanner = scanner;
    }

    /**
     * Starts the loop; its first round comes one interval after the start (the proxy's client connects meanwhile).
     *
     * @param scanner the process's one scanner, shared with the admin server's Flink view so that both judge orphans
     *                from the same memory of the clusters seen alive
     * @return the running loop, to close before the proxy
     */
    static FlinkScanLoop start(ProxyServer proxy, FlinkHaScanner scanner) {
        FlinkScanLoop loop = new FlinkScanLoop(proxy, scanner);
        loop.schedule(loop.delay(proxy.config().flink()));
        return loop;
    }

    private long delay(FlinkConfig config) {
        return config.enabled() ? config.scanIntervalMs() : IDLE_RECHECK.toMillis();
    }

    private void schedule(long delayMs) {
        try {
            thread.schedule(this::round, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** One round over every tenant; schedules the next one an interval after this one started. */
    private void round() {
        long started = System.nanoTime();
        FlinkConfig config = proxy.config().flink();
        try {
            if (config.enabled()) {
                scanAll(config);
            } else {
                removeAllBut(Set.of());
            }
        } catch (RuntimeException | Error e) {
            // caught whole: an uncaught one would end the scheduled rounds, and the meters would freeze unnoticed
            LOG.warn("flink scan: a round failed", e);
        }
        if (!closed) {
            long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            schedule(Math.max(0, delay(config) - spent));
        }
    }

    private void scanAll(FlinkConfig config) {
        FlinkScanLimits limits = new FlinkScanLimits(config.roots(), config.discover(), config.maxNodes(),
                FlinkScanLimits.DEFAULT_MAX_CHILDREN, Duration.ofMillis(config.scanTimeoutMs()),
                Duration.ofMillis(config.orphanAfterMs()));
        Set<String> names = new HashSet<>();
        for (Tenant tenant : proxy.tenants()) {
            if (closed) {
                return;
            }
            names.add(tenant.name());
            scan(tenant, limits, config);
        }
        removeAllBut(names);
    }

    private void scan(Tenant tenant, FlinkScanLimits limits, FlinkConfig config) {
        FlinkMeters m = meters.computeIfAbsent(tenant.name(), name -> new FlinkMeters(registry, name));
        long started = System.nanoTime();
        try {
            FlinkView view = scanner.scan(tenant.chroot(), limits)
                    .get(config.scanTimeoutMs() + GRACE_MS, TimeUnit.MILLISECONDS);
            m.update(view, Duration.ofNanos(System.nanoTime() - started), config.maxClusters(), config.maxJobs());
            if (failing.remove(tenant.name())) {
                LOG.info("flink scan of tenant {}: reading again", tenant.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            m.failed(Duration.ofNanos(System.nanoTime() - started));
            if (failing.add(tenant.name())) {
                Throwable why = e instanceof ExecutionException ? e.getCause() : e;
                LOG.warn("flink scan of tenant {} failed (its Flink meters keep their last values): {}",
                        tenant.name(), why.getMessage() != null ? why.getMessage() : why.toString());
            }
        }
    }

    /** Removes the series of every tenant not in {@code keep}. */
    private void removeAllBut(Set<String> keep) {
        meters.entrySet().removeIf(e -> {
            if (keep.contains(e.getKey())) {
                return false;
            }
            e.getValue().close();
            failing.remove(e.getKey());
            return true;
        });
    }

    /** Stops the thread (a scan under way is abandoned) and removes every series. */
    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(GRACE_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("flink scan: the thread did not stop within {} ms", GRACE_MS);
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        removeAllBut(Set.of());
    }
}
