package io.zktenantproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.zktenantproxy.proxy.config.AdminConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The proxy's meter registry and its process-wide meters (Micrometer; scraped as Prometheus text from the admin
 * server's {@code /metrics}). Tags come only from enums and configured names (tenants, upstream servers of the
 * connect string): never from paths, session ids or other client bytes, so a tenant cannot blow up the number of
 * series.
 *
 * <p>Per-tenant meters live in {@link TenantMeters}, created once per tenant and held by its connections. Also
 * bound: JVM memory, GC, threads, class loading, processor, uptime, file descriptors, and the Netty default
 * allocator (in Netty 4.2 the adaptive one). Names: {@link MeterNames}; reference: {@code docs/METRICS.md}.
 */
public final class ProxyMetrics {
    /** Prefix of every proxy meter. */
    public static final String PREFIX = MeterNames.PREFIX;
    /** The slow threshold when none is configured. */
    public static final Duration DEFAULT_SLOW_THRESHOLD = Duration.ofMillis(AdminConfig.DEFAULT_SLOW_THRESHOLD_MS);

    private final MeterRegistry registry;
    private final Duration slowThreshold;
    private final Map<String, TenantMeters> tenants = new ConcurrentHashMap<>();
    private final Map<String, Counter> upstreamConnectFailures = new ConcurrentHashMap<>();
    private final Map<String, ListenerMeters> listeners = new ConcurrentHashMap<>();

    /**
     * Binds the JVM and Netty meters to {@code registry}.
     *
     * @param slowThreshold upstream latency above which a reply counts as slow (Envoy's ZooKeeper filter keeps the
     *                      same fast/slow split); positive
     */
    public ProxyMetrics(MeterRegistry registry, Duration slowThreshold) {
        if (slowThreshold.isNegative() || slowThreshold.isZero()) {
            throw new IllegalArgumentException("slowThreshold: " + slowThreshold + " (expected: > 0)");
        }
        this.registry = registry;
        this.slowThreshold = slowThreshold;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry);
        }
        Gauge.builder(MeterNames.SLOW_THRESHOLD, slowThreshold, d -> d.toNanos() / 1e9)
                .description("Upstream latency above which a reply counts as slow").baseUnit("seconds")
                .register(registry);
    }

    /** @return a Prometheus registry with the default slow threshold, {@link #DEFAULT_SLOW_THRESHOLD} */
    public static ProxyMetrics prometheus() {
        return prometheus(DEFAULT_SLOW_THRESHOLD);
    }

    /** @return a Prometheus registry with {@code slowThreshold} */
    public static ProxyMetrics prometheus(Duration slowThreshold) {
        return new ProxyMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), slowThreshold);
    }

    /** @return a Prometheus registry with the slow threshold of {@code config.admin()}, or the default */
    public static ProxyMetrics prometheus(ProxyConfig config) {
        AdminConfig admin = config.admin();
        return prometheus(admin == null ? DEFAULT_SLOW_THRESHOLD : Duration.ofMillis(admin.slowThresholdMs()));
    }

    /** @return the registry every meter is in */
    public MeterRegistry registry() {
        return registry;
    }

    /** @return the threshold between fast and slow upstream replies */
    public Duration slowThreshold() {
        return slowThreshold;
    }

    /** @return the Prometheus text exposition (format 0.0.4), or an empty string when the registry is not Prometheus */
    public String scrape() {
        return registry instanceof PrometheusMeterRegistry p ? p.scrape() : "";
    }

    /** @return the meters of {@code tenant} (a configured tenant name), created on first use */
    public TenantMeters tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, t -> new TenantMeters(registry, t, slowThreshold));
    }

    /** @return the handshake-admission meters of {@code listener} (a tenant's name or {@code shared}) */
    public ListenerMeters listener(String listener) {
        return listeners.computeIfAbsent(listener, l -> new ListenerMeters(registry, l));
    }

    /** Counts a failed TCP connect to {@code server} (an entry of the configured connect string). */
    public void upstreamConnectFailed(String server) {
        upstreamConnectFailures.computeIfAbsent(server, s -> Counter.builder(MeterNames.UPSTREAM_CONNECT_FAILURES)
                .description("TCP connects to an ensemble server that failed")
                .tag(MeterNames.SERVER, s)
                .register(registry)).increment();
    }

    /**
     * Counts a TLS handshake on a tenant listener.
     *
     * @param listener the tenant whose listener it is, or {@code shared}
     * @param outcome  {@code ok} or why it was refused (a {@code HandshakeOutcome} tag of the TLS package)
     */
    public void tlsHandshake(String listener, String outcome) {
        Counter.builder(MeterNames.TLS_HANDSHAKES)
                .description("TLS handshakes on tenant listeners, by outcome")
                .tag(MeterNames.LISTENER, listener)
                .tag(MeterNames.OUTCOME, outcome)
                .register(registry).increment();
    }

    /**
     * Counts a reload of certificate files.
     *
     * @param side    {@code listeners} or {@code upstream}
     * @param applied whether the new files are in use ({@code applied}) or were refused ({@code refused})
     */
    public void tlsReload(String side, boolean applied) {
        Counter.builder(MeterNames.TLS_RELOADS)
                .description("Reloads of certificate files, applied or refused")
                .tag(MeterNames.SIDE, side)
                .tag(MeterNames.OUTCOME, applied ? "applied" : "refused")
                .register(registry).increment();
    }

    /**
     * Counts one configuration reload.
     *
     * @param outcome {@code applied}, {@code unchanged} (the file held what runs) or {@code refused} (invalid, or a
     *                change that needs a restart: the running configuration stays)
     */
    public void configReload(String outcome) {
        Counter.builder(MeterNames.CONFIG_RELOADS)
                .description("Reloads of the configuration file: applied, unchanged or refused")
                .tag(MeterNames.OUTCOME, outcome)
                .register(registry).increment();
    }

    /** Registers a gauge of whether the proxy is ready (listeners bound, upstream reachable): 1 or 0. */
    public void readiness(BooleanSupplier ready) {
        Gauge.builder(MeterNames.READY, () -> ready.getAsBoolean() ? 1 : 0)
                .description("1 when every listener is bound and the ensemble is reachable")
                .register(registry);
    }
}
