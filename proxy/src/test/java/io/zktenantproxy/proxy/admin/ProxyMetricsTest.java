package io.zktenantproxy.proxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.proxy.config.AdminConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.metrics.CloseReason;
import io.zktenantproxy.proxy.metrics.MeterNames;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The meters of {@link TenantMeters} and {@link ProxyMetrics}: names, tags, outcomes, the fast/slow split. */
class ProxyMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = new ProxyMetrics(registry, Duration.ofMillis(5));
    private final TenantMeters acme = metrics.tenant("acme");

    private double count(String name, String... tags) {
        var search = registry.find(name).tags(tags);
        return search.counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** Registers the quota gauges with suppliers only the gauges reference (fresh capturing lambdas). */
    private void registerQuotaGauges(long znodes) {
        long[] used = {znodes};
        acme.quota().gauges(() -> used[0], () -> used[0] * 1024, 10, 10_240, 5);
    }

    private double gauge(String name, String kind) {
        return registry.find(name).tags("tenant", "acme", "kind", kind).gauge().value();
    }

    @Test
    void quotaGaugesOutliveAGarbageCollectionAndRefusalsAreReadBack() {
        registerQuotaGauges(7);
        WeakReference<Object> collected = new WeakReference<>(new Object());
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return collected.get() == null;
        });
        assertEquals(7, gauge(MeterNames.QUOTA_USED, "znodes"), "a weakly held supplier would read NaN");
        assertEquals(7 * 1024, gauge(MeterNames.QUOTA_USED, "bytes"));
        assertEquals(10, gauge(MeterNames.QUOTA_LIMIT, "znodes"));
        assertEquals(10_240, gauge(MeterNames.QUOTA_LIMIT, "bytes"));
        assertEquals(5, gauge(MeterNames.QUOTA_LIMIT, "watches"));

        assertEquals(0, acme.quota().refusals(QuotaKind.BYTES), "no series yet");
        acme.quota().exceeded(QuotaKind.BYTES);
        acme.quota().exceeded(QuotaKind.BYTES);
        acme.quota().exceeded(QuotaKind.WATCHES);
        acme.quota().waited();
        assertEquals(0, acme.quota().refusals(QuotaKind.ZNODES));
        assertEquals(2, acme.quota().refusals(QuotaKind.BYTES));
        assertEquals(1, acme.quota().refusals(QuotaKind.WATCHES));
        assertEquals(2, count(MeterNames.QUOTA_EXCEEDED, "tenant", "acme", "kind", "bytes"));
        assertEquals(1, acme.quota().waits());
    }

    @Test
    void repliesCountByOutcomeAndSpeed() {
        acme.upstreamReply(OpCode.CREATE, KeeperCode.OK, Duration.ofMillis(1).toNanos());
        acme.upstreamReply(OpCode.CREATE, KeeperCode.NODE_EXISTS, Duration.ofMillis(20).toNanos());
        acme.upstreamReply(OpCode.GET_CHILDREN2, KeeperCode.NO_NODE, Duration.ofMillis(5).toNanos());
        acme.upstreamReply(OpCode.GET_DATA, 12345, 1);

        assertEquals(1, count(MeterNames.REQUESTS, "tenant", "acme", "op", "create", "outcome", "ok"));
        assertEquals(1, count(MeterNames.REQUESTS, "tenant", "acme", "op", "create", "outcome", "nodeexists"));
        assertEquals(1, count(MeterNames.REQUESTS, "op", "getChildren2", "outcome", "nonode"));
        assertEquals(1, count(MeterNames.REQUESTS, "op", "getData", "outcome", "other"), "unknown code: one series");
        assertEquals(1, count(MeterNames.UPSTREAM_REPLIES, "op", "create", "speed", "slow"));
        assertEquals(1, count(MeterNames.UPSTREAM_REPLIES, "op", "create", "speed", "fast"));
        assertEquals(1, count(MeterNames.UPSTREAM_REPLIES, "op", "getChildren2", "speed", "fast"), "at threshold");
        assertEquals(2, registry.find(MeterNames.UPSTREAM_LATENCY).tags("op", "create").timer().count());
        assertNull(registry.find(MeterNames.UPSTREAM_LATENCY).tags("op", "setData").timer(), "created on first use");
        assertEquals(4, acme.requests());
    }

    @Test
    void proxyAnswersAreOkOrRefusedWithAReason() {
        acme.answeredByProxy(OpCode.GET_DATA, KeeperCode.OK);
        acme.answeredByProxy(OpCode.DELETE, KeeperCode.BAD_ARGUMENTS);
        acme.answeredByProxy(OpCode.RECONFIG, KeeperCode.RECONFIG_DISABLED);
        acme.answeredByProxy(null, KeeperCode.UNIMPLEMENTED);

        assertEquals(1, count(MeterNames.REQUESTS, "op", "getData", "outcome", "ok"));
        assertEquals(1, count(MeterNames.REQUESTS, "op", "delete", "outcome", "refused"));
        assertEquals(1, count(MeterNames.REQUESTS, "op", "unknown", "outcome", "refused"));
        assertEquals(1, count(MeterNames.REFUSED, "tenant", "acme", "reason", "badarguments"));
        assertEquals(1, count(MeterNames.REFUSED, "reason", "reconfigdisabled"));
        assertEquals(1, count(MeterNames.REFUSED, "reason", "unimplemented"));
        assertEquals(4, acme.requests());
    }

    @Test
    void connectionsSessionsBytesEventsClosesAndViolations() {
        assertEquals(1, acme.connections(1));
        acme.sessions(1);
        acme.bytesIn(100);
        acme.bytesOut(40);
        acme.watchEvent();
        acme.isolationViolation();
        acme.connectionClosed(CloseReason.ISOLATION_VIOLATION);
        acme.connectionClosed(CloseReason.IDLE_TIMEOUT);

        assertEquals(1, registry.find(MeterNames.CONNECTIONS_ACTIVE).tag("tenant", "acme").gauge().value());
        assertEquals(1, registry.find(MeterNames.SESSIONS_ACTIVE).tag("tenant", "acme").gauge().value());
        assertEquals(100, count(MeterNames.BYTES, "direction", "in"));
        assertEquals(40, count(MeterNames.BYTES, "direction", "out"));
        assertEquals(1, count(MeterNames.WATCH_EVENTS, "tenant", "acme"));
        assertEquals(1, count(MeterNames.ISOLATION_VIOLATIONS, "tenant", "acme"));
        assertEquals(1, count(MeterNames.CONNECTIONS_CLOSED, "reason", "isolation_violation"));
        assertEquals(1, count(MeterNames.CONNECTIONS_CLOSED, "reason", "idle_timeout"));
    }

    @Test
    void processWideMeters() {
        metrics.upstreamConnectFailed("zk-1:2181");
        metrics.upstreamConnectFailed("zk-1:2181");
        metrics.readiness(() -> true);
        assertEquals(2, count(MeterNames.UPSTREAM_CONNECT_FAILURES, "server", "zk-1:2181"));
        assertEquals(1, registry.find(MeterNames.READY).gauge().value());
        assertEquals(0.005, registry.find(MeterNames.SLOW_THRESHOLD).gauge().value(), 1e-12);
        assertTrue(registry.find("jvm.memory.used").gauge() != null);
        assertTrue(registry.find("netty.allocator.memory.used").gauge() != null);
        assertTrue(metrics.tenant("acme") == acme, "one TenantMeters per tenant");
    }

    @Test
    void slowThresholdComesFromTheAdminConfig() {
        ProxyConfig config = ProxyConfig.forUpstream("zk:2181").withAdmin(AdminConfig.listeningOn("127.0.0.1:0").withSlowThresholdMs(250));
        assertEquals(Duration.ofMillis(250), ProxyMetrics.prometheus(config).slowThreshold());
        ProxyConfig noAdmin = ProxyConfig.forUpstream("zk:2181");
        assertEquals(ProxyMetrics.DEFAULT_SLOW_THRESHOLD, ProxyMetrics.prometheus(noAdmin).slowThreshold());
        assertEquals(100, AdminConfig.listeningOn("127.0.0.1:0").slowThresholdMs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdminConfig.listeningOn("127.0.0.1:0").withSlowThresholdMs(0));
        assertEquals("admin.slowThresholdMs: 0 (expected: > 0)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ProxyMetrics(registry, Duration.ZERO));
    }

    @Test
    void prometheusNamesAreTheDocumentedOnes() {
        ProxyMetrics prometheus = ProxyMetrics.prometheus(Duration.ofMillis(5));
        TenantMeters t = prometheus.tenant("acme");
        t.upstreamReply(OpCode.CREATE, KeeperCode.OK, 1);
        t.answeredByProxy(OpCode.DELETE, KeeperCode.BAD_ARGUMENTS);
        t.bytesIn(1);
        t.connectionClosed(CloseReason.CLIENT_CLOSED);
        prometheus.upstreamConnectFailed("zk-1:2181");
        prometheus.readiness(() -> false);
        PrometheusText text = new PrometheusText(prometheus.scrape());
        for (String name : List.of("zktp_requests_total", "zktp_requests_refused_total",
                "zktp_upstream_latency_seconds_bucket", "zktp_upstream_latency_seconds_count",
                "zktp_upstream_replies_total", "zktp_upstream_slow_threshold_seconds",
                "zktp_upstream_connect_failures_total", "zktp_connections_active", "zktp_sessions_active",
                "zktp_connections_closed_total", "zktp_bytes_total", "zktp_watch_events_total",
                "zktp_isolation_violations_total", "zktp_ready")) {
            assertTrue(text.has(name), name + " missing from\n" + text);
        }
    }
}
