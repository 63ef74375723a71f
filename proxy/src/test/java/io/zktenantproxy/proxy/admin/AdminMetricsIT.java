package io.zktenantproxy.proxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
 * scrape of {@code /metrics} over HTTP (the quota meters also against {@code /tenants}).
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
    void quotaUsageLimitsRefusalsAndWatchesAreMeteredAndListed() throws Exception {
        try (TestingServer zk = Upstreams.server();
             ProxyRuntime runtime = ProxyRuntime.start(ProxyConfig.forUpstream(zk.getConnectString())
                     .withAdmin(AdminConfig.listeningOn("127.0.0.1:0"))
                     .withTenants(TenantConfig.named(TENANT).withListen("127.0.0.1:0").withQuotas(3L, 10_000L, 2)),
                     null)) {
            AdminHttp http = new AdminHttp(runtime.admin().address(), null);
            ZooKeeper client = ProxyHarness.connect(ProxyHarness.connectString(runtime.proxy(), TENANT),
                    (Watcher) null);
            try {
                // charged bytes = data + 1024 per znode; the quotas: 3 znodes, 10 000 bytes, 2 watches per session
                create(client, "/a", 0);
                create(client, "/b", 5000); // 2 znodes, 7048 bytes
                assertThrows(KeeperException.QuotaExceededException.class, () -> create(client, "/c", 3000));
                create(client, "/c", 0); // 3 znodes, 8072 bytes
                assertThrows(KeeperException.QuotaExceededException.class, () -> create(client, "/d", 0));
                client.getData("/a", true, null);
                client.getData("/b", true, null);
                assertThrows(KeeperException.QuotaExceededException.class, () -> client.getData("/c", true, null));

                PrometheusText text = scrape(http);
                String t = "tenant";
                String k = "kind";
                assertEquals(1, text.sum("zktp_quota_exceeded_total", t, TENANT, k, "znodes"), text.toString());
                assertEquals(1, text.sum("zktp_quota_exceeded_total", t, TENANT, k, "bytes"));
                assertEquals(1, text.sum("zktp_quota_exceeded_total", t, TENANT, k, "watches"));
                assertEquals(3, text.sum("zktp_quota_limit", t, TENANT, k, "znodes"));
                assertEquals(10_000, text.sum("zktp_quota_limit", t, TENANT, k, "bytes"));
                assertEquals(2, text.sum("zktp_quota_limit", t, TENANT, k, "watches"));
                // near the limit every write is decided on a count taken after it arrived, so the refusal of /d
                // was decided on a count that includes /c
                assertEquals(3, text.sum("zktp_quota_used", t, TENANT, k, "znodes"));
                assertEquals(5000 + 3 * 1024, text.sum("zktp_quota_used", t, TENANT, k, "bytes"));
                assertTrue(text.sum("zktp_quota_waits_total", t, TENANT) >= 1, "writes near the limit wait");
                assertEquals(2, text.sum("zktp_watches_held", t, TENANT));
                assertEquals(2, text.sum("zktp_watches_held_max", t, TENANT));

                AdminHttp.Response tenants = http.get("/tenants");
                assertEquals(200, tenants.status(), tenants.body());
                JsonNode quota = tenants.json().get("tenants").get(0).get("quota");
                assertEquals(3, quota.at("/znodes/used").asLong(), quota.toString());
                assertEquals(3, quota.at("/znodes/limit").asLong());
                assertEquals(5000 + 3 * 1024, quota.at("/bytes/used").asLong());
                assertEquals(5000, quota.at("/bytes/data").asLong());
                assertEquals(10_000, quota.at("/bytes/limit").asLong());
                assertEquals(1024, quota.get("bytesPerZnode").asInt());
                assertEquals(2, quota.at("/watches/held").asLong());
                assertEquals(2, quota.at("/watches/heldMax").asInt());
                assertEquals(2, quota.at("/watches/limitPerSession").asInt());
                assertEquals(1, quota.at("/exceeded/znodes").asLong());
                assertEquals(1, quota.at("/exceeded/bytes").asLong());
                assertEquals(1, quota.at("/exceeded/watches").asLong());
                assertEquals((long) text.sum("zktp_quota_waits_total", t, TENANT), quota.get("waits").asLong());
            } finally {
                client.close();
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                PrometheusText after = scrape(http);
                assertEquals(0, after.sum("zktp_watches_held", "tenant", TENANT), "a closed session holds none");
                assertEquals(0, after.sum("zktp_watches_held_max", "tenant", TENANT));
            });
        }
    }

    private static void create(ZooKeeper client, String path, int dataBytes) throws Exception {
        client.create(path, new byte[dataBytes], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
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
