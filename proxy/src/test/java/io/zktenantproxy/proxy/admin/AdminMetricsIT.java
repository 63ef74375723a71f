package io.zktenantproxy.proxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.AdminConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.runtime.ProxyRuntime;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * Meters move as requests flow: a real ZooKeeper client through the proxy, and every assertion read from a real
 * scrape of {@code /metrics} over HTTP.
 */
class AdminMetricsIT {
    private static final String TENANT = "metered";

    private static PrometheusText scrape(AdminHttp http) throws Exception {
        AdminHttp.Response r = http.get("/metrics");
        assertEquals(200, r.status());
        assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
        return new PrometheusText(r.body());
    }

    private static ProxyRuntime start(String upstream) {
        return ProxyRuntime.start(ProxyConfig.forUpstream(upstream).withAdmin(AdminConfig.listeningOn("127.0.0.1:0").withSlowThresholdMs(250))
                .withTenants(TenantConfig.named(TENANT).withListen("127.0.0.1:0")), null);
    }

    @Test
    void metersMoveAsRequestsFlow() throws Exception {
        try (TestingServer zk = Upstreams.server(); ProxyRuntime runtime = start(zk.getConnectString())) {
            AdminHttp http = new AdminHttp(runtime.admin().address(), null);
            await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/readyz").status() == 200);
            PrometheusText before = scrape(http);
            assertEquals(0.25, before.sum("zktp_upstream_slow_threshold_seconds"), 1e-9);
            assertEquals(1, before.sum("zktp_ready"));
            assertEquals(0, before.sum("zktp_isolation_violations_total", "tenant", TENANT));
            assertEquals(0, before.sum("zktp_connections_active", "tenant", TENANT));
            assertTrue(before.has("jvm_memory_used_bytes"), "JVM meters");
            assertTrue(before.has("netty_allocator_memory_used"), "Netty allocator meters");

            CompletableFuture<Watcher.Event.EventType> event = new CompletableFuture<>();
            ZooKeeper client = ProxyHarness.connect(ProxyHarness.connectString(runtime.proxy(), TENANT),
                    (Watcher) null);
            try {
                client.create("/m", "v".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
                assertThrows(KeeperException.NoNodeException.class, () -> client.getData("/nope", false, null));
                assertThrows(KeeperException.BadArgumentsException.class, () -> client.delete("/", -1));
                client.getData("/m", e -> event.complete(e.getType()), null);
                client.setData("/m", "w".getBytes(StandardCharsets.UTF_8), -1);
                assertEquals(Watcher.Event.EventType.NodeDataChanged, event.get(30, TimeUnit.SECONDS));

                PrometheusText during = scrape(http);
                String t = "tenant";
                assertEquals(1, during.sum("zktp_requests_total", t, TENANT, "op", "create", "outcome", "ok"));
                assertEquals(1, during.sum("zktp_requests_total", t, TENANT, "op", "getData", "outcome", "nonode"));
                assertEquals(1, during.sum("zktp_requests_total", t, TENANT, "op", "delete", "outcome", "refused"));
                assertEquals(1, during.sum("zktp_requests_refused_total", t, TENANT, "reason", "badarguments"));
                assertEquals(1, during.sum("zktp_requests_total", t, TENANT, "op", "setData", "outcome", "ok"));
                assertEquals(1, during.sum("zktp_upstream_latency_seconds_count", t, TENANT, "op", "create"));
                assertEquals(2, during.sum("zktp_upstream_latency_seconds_count", t, TENANT, "op", "getData"));
                assertTrue(during.has("zktp_upstream_latency_seconds_bucket", t, TENANT, "op", "create", "le", "0.25"));
                assertEquals(during.sum("zktp_upstream_latency_seconds_count", t, TENANT),
                        during.sum("zktp_upstream_replies_total", t, TENANT), "every reply is fast or slow");
                assertTrue(during.sum("zktp_upstream_replies_total", t, TENANT, "speed", "fast") >= 1);
                assertEquals(1, during.sum("zktp_connections_active", t, TENANT));
                assertEquals(1, during.sum("zktp_sessions_active", t, TENANT));
                assertTrue(during.sum("zktp_bytes_total", t, TENANT, "direction", "in") > 0);
                assertTrue(during.sum("zktp_bytes_total", t, TENANT, "direction", "out") > 0);
                assertEquals(1, during.sum("zktp_watch_events_total", t, TENANT));
                assertEquals(List.of(TENANT), during.values("zktp_requests_total", t), "tags: configured names");
            } finally {
                client.close();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                PrometheusText after = scrape(http);
                assertEquals(0, after.sum("zktp_connections_active", "tenant", TENANT));
                assertEquals(0, after.sum("zktp_sessions_active", "tenant", TENANT));
                assertEquals(1, after.sum("zktp_connections_closed_total", "tenant", TENANT, "reason", "client_closed")
                        + after.sum("zktp_connections_closed_total", "tenant", TENANT, "reason", "upstream_closed"));
                assertEquals(1, after.sum("zktp_requests_total", "tenant", TENANT, "op", "closeSession"));
            });
        }
    }

    @Test
    void failedUpstreamConnectsAreCountedByServer() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (TestingServer zk = Upstreams.server();
             ProxyRuntime runtime = start("127.0.0.1:" + deadPort + "," + zk.getConnectString())) {
            AdminHttp http = new AdminHttp(runtime.admin().address(), null);
            String dead = "127.0.0.1:" + deadPort;
            // each connection tries the servers in its own shuffled order: within a few, one tries the dead one first
            for (int i = 0; i < 40 && scrape(http).sum("zktp_upstream_connect_failures_total", "server", dead) == 0;
                 i++) {
                ProxyHarness.connect(ProxyHarness.connectString(runtime.proxy(), TENANT), (Watcher) null).close();
            }
            PrometheusText text = scrape(http);
            assertTrue(text.sum("zktp_upstream_connect_failures_total", "server", dead) >= 1, text.toString());
            assertEquals(List.of(dead), text.values("zktp_upstream_connect_failures_total", "server"));
        }
    }
}
