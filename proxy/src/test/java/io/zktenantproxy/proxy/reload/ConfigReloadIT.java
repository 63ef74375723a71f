package io.zktenantproxy.proxy.reload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.AdminConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.ServerConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.Events;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.TestClient;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.ReloadStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reloads on a running proxy with live Java clients ({@link ProxyServer#reload}): tenants added, changed and removed;
 * invalid configurations that must leave the running one alone; a chroot change.
 */
class ConfigReloadIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private TestingServer server;
    private ProxyServer proxy;
    private int stayPort;
    private int gonePort;

    @BeforeEach
    void start() throws Exception {
        server = Upstreams.server();
        stayPort = ProxyHarness.freePort();
        gonePort = ProxyHarness.freePort();
        proxy = ProxyServer.start(base());
        await().atMost(DEADLINE).until(proxy::ready);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        server.close();
    }

    /** Tenants {@code stay} and {@code gone} on fixed ports, a 2 s drain. */
    private ProxyConfig base() {
        return ProxyHarness.secretWhenOn(ProxyConfig.forUpstream(server.getConnectString())
                .withLimits(io.zktenantproxy.proxy.config.Limits.defaults().with(
                        io.zktenantproxy.proxy.config.Limits.Limit.DRAIN_MS, 2_000))
                .withTenants(tenant("stay", stayPort), tenant("gone", gonePort)));
    }

    private static TenantConfig tenant(String name, int port) {
        return TenantConfig.named(name).withListen("127.0.0.1:" + port);
    }

    @Test
    void tenantsAreAddedChangedAndRemovedWhileTheOthersGoOn() throws Exception {
        Events stayEvents = new Events();
        Events goneEvents = new Events();
        try (TestClient stay = ProxyHarness.connect("127.0.0.1:" + stayPort, stayEvents);
             TestClient gone = ProxyHarness.connect("127.0.0.1:" + gonePort, goneEvents)) {
            long staySession = stay.getSessionId();
            stay.create("/before", bytes("s"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            gone.create("/kept-upstream", bytes("g"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

            int freshPort = ProxyHarness.freePort();
            ProxyConfig next = base().withAdvertised(List.of("proxy.example:7451")).withTenants(
                    tenant("stay", stayPort).withRequestsPerSecond(5_000).withQuotas(500L, null, null),
                    tenant("fresh", freshPort));
            ReloadStatus status = proxy.reload(next);
            assertEquals("applied", status.outcome(), status.errors().toString());
            assertEquals(2, status.generation());

            // the new tenant serves at once, under its own chroot
            try (TestClient fresh = ProxyHarness.connect("127.0.0.1:" + freshPort, new Events())) {
                fresh.create("/hello", bytes("f"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            // the removed tenant's listener stops accepting at once; its open connection drains, then is closed
            assertFalse(Upstreams.accepts(gonePort), "the removed tenant's port still accepts");
            assertArrayEquals(bytes("g"), gone.getData("/kept-upstream", false, null), "usable while draining");
            goneEvents.awaitState(KeeperState.Disconnected);

            // the tenant that stayed: same session, never disconnected, new budget and quota in place
            assertArrayEquals(bytes("s"), stay.getData("/before", false, null));
            assertEquals(staySession, stay.getSessionId());
            assertFalse(stayEvents.states().contains(KeeperState.Disconnected), stayEvents.states().toString());
            assertEquals(5_000, proxy.tenants().stream().filter(t -> t.name().equals("stay")).findFirst()
                    .orElseThrow().requestsPerSecond());
            // a connection opened after the reload reads the new advertised addresses as /zookeeper/config
            try (TestClient later = ProxyHarness.connect("127.0.0.1:" + stayPort, new Events())) {
                String config = new String(later.getConfig(false, null), StandardCharsets.UTF_8);
                assertTrue(config.contains("proxy.example:7451"), config);
            }
            try (ZooKeeper upstream = ProxyHarness.upstream(server.getConnectString())) {
                assertNotNull(upstream.exists("/tenants/fresh/hello", false));
                assertNotNull(upstream.exists("/tenants/gone/kept-upstream", false), "data of a removed tenant");
                await("the stay tenant's new quota on the ensemble").atMost(DEADLINE).until(() -> new String(
                        upstream.getData("/zookeeper/quota/tenants/stay/zookeeper_limits", false, null),
                        StandardCharsets.UTF_8).contains("countHardLimit=501"));
            }
            assertTrue(proxy.metrics().scrape().contains("zktp_connections_closed_total{reason=\"tenant_removed\","
                    + "tenant=\"gone\"} 1.0"), "closed after the drain, counted");
        }
    }

    @Test
    void invalidConfigurationsLeaveTheRunningOneAlone() throws Exception {
        Events events = new Events();
        try (TestClient stay = ProxyHarness.connect("127.0.0.1:" + stayPort, events);
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<ProxyConfig> invalid = List.of(
                    // a port in use: found by binding, before anything changes
                    base().withTenants(tenant("stay", stayPort), tenant("gone", gonePort),
                            tenant("late", taken.getLocalPort())),
                    // overlapping chroots
                    base().withTenants(tenant("stay", stayPort), tenant("gone", gonePort),
                            TenantConfig.named("inner").withChroot("/tenants/stay/inner")
                                    .withListen("127.0.0.1:" + ProxyHarness.freePort())),
                    // changes that need a restart
                    base().withAdmin(new AdminConfig("127.0.0.1:" + ProxyHarness.freePort(), null)),
                    base().withServer(new ServerConfig(proxy.transport().equals("nio") ? "epoll" : "nio")));
            for (ProxyConfig config : invalid) {
                ReloadStatus status = proxy.reload(config);
                assertEquals("refused", status.outcome());
                assertEquals(1, status.generation());
                assertFalse(status.errors().isEmpty());
            }
            String other = proxy.transport().equals("nio") ? "epoll" : "nio";
            assertTrue(proxy.reload(base().withServer(new ServerConfig(other))).errors().stream()
                    .anyMatch(e -> e.startsWith("server.transport: changed")), "a transport change needs a restart");
            assertTrue(proxy.reload(base()).outcome().equals("unchanged"));
            assertEquals(List.of("stay", "gone"), proxy.tenants().stream().map(t -> t.name()).toList());
            assertTrue(Upstreams.accepts(gonePort));
            stay.create("/still", bytes("x"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertFalse(events.states().contains(KeeperState.Disconnected), events.states().toString());
            String metrics = proxy.metrics().scrape();
            assertTrue(metrics.contains("zktp_config_reloads_total{outcome=\"refused\"} 5.0"), metrics);
        }
    }

    @Test
    void aChrootChangeClosesTheTenantsConnections() throws Exception {
        Events events = new Events();
        try (TestClient stay = ProxyHarness.connect("127.0.0.1:" + stayPort, events)) {
            stay.create("/old-tree", bytes("o"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ProxyConfig next = base().withTenants(tenant("stay", stayPort).withChroot("/tenants/stay-v2"),
                    tenant("gone", gonePort));
            assertEquals("applied", proxy.reload(next).outcome());
            events.awaitState(KeeperState.Disconnected);
            // the client reconnects to the same port, now the new chroot: its session lives on the ensemble, but
            // what it sees is the new tree
            events.awaitState(KeeperState.SyncConnected);
            assertThrows(org.apache.zookeeper.KeeperException.NoNodeException.class,
                    () -> stay.getData("/old-tree", false, null));
            assertTrue(proxy.metrics().scrape().contains("reason=\"chroot_changed\""));
        }
    }


    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
