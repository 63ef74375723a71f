package io.zktenantproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names every meter the proxy publishes (Micrometer; scraped as Prometheus text from the admin server's
 * {@code /metrics}). Tags come only from enums and configured names (tenants, upstream servers): never from paths,
 * session ids or other client bytes, so a tenant cannot blow up the number of series.
 *
 * <p>Per-tenant meters live in {@link TenantMeters}, created once per tenant so that recording a request is an
 * array lookup. Reference: {@code docs/METRICS.md}.
 */
public final class ProxyMetrics {
    public static final String PREFIX = "zktp";

    private final MeterRegistry registry;
    private final Duration slowThreshold;
    private final Map<String, TenantMeters> tenants = new ConcurrentHashMap<>();
    private final Map<String, Counter> upstreamConnectFailures = new ConcurrentHashMap<>();

    /**
     * @param slowThreshold upstream latency above which a request counts as slow (Envoy's ZooKeeper filter keeps the
     *                      same fast/slow split)
     */
    public ProxyMetrics(MeterRegistry registry, Duration slowThreshold) {
        this.registry = registry;
        this.slowThreshold = slowThreshold;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
    }

    /** A Prometheus registry with a 100 ms slow threshold. */
    public static ProxyMetrics prometheus() {
        return new ProxyMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Duration.ofMillis(100));
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** @return the Prometheus text exposition, or an empty string when the registry is not Prometheus */
    public String scrape() {
        return registry instanceof PrometheusMeterRegistry p ? p.scrape() : "";
    }

    /** @return the meters of {@code tenant}, created on first use */
    public TenantMeters tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, t -> new TenantMeters(registry, t, slowThreshold));
    }

    /** Counts a failed TCP connect to {@code server} (an entry of the configured connect string). */
    public void upstreamConnectFailed(String server) {
        upstreamConnectFailures.computeIfAbsent(server, s -> Counter.builder(PREFIX + ".upstream.connect.failures")
                .description("TCP connects to an ensemble server that failed")
                .tag("server", s)
                .register(registry)).increment();
    }

    /** Registers a gauge of whether the proxy is ready (listeners bound, upstream reachable): 1 or 0. */
    public void readiness(java.util.function.BooleanSupplier ready) {
        Gauge.builder(PREFIX + ".ready", () -> ready.getAsBoolean() ? 1 : 0)
                .description("1 when every listener is bound and the ensemble is reachable")
                .register(registry);
    }
}
