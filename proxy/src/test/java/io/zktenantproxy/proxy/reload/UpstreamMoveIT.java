package io.zktenantproxy.proxy.reload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.UpstreamConfig;
import io.zktenantproxy.proxy.it.Events;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.TestClient;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.Test;

/**
 * A reload that changes the upstream connect string while sessions are live, as when an ensemble's servers are
 * replaced: the proxy points its own client at the new servers and closes the open client connections a few per
 * second ({@code limits.upstreamMovesPerSecond}); each client reconnects through the proxy, which dials a server of
 * the new list, and resumes its session there. No session expires, every ephemeral stays, and afterwards no session
 * is held by the server left out.
 */
class UpstreamMoveIT {
    private static final int CLIENTS = 6;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @Test
    void sessionsMoveToTheNewServersWithoutExpiring() throws Exception {
        try (TestingCluster cluster = Upstreams.cluster(3)) {
            List<InstanceSpec> servers = cluster.getInstances().stream().toList();
            String first = "127.0.0.1:" + servers.get(0).getPort();
            String others = "127.0.0.1:" + servers.get(1).getPort() + ",127.0.0.1:" + servers.get(2).getPort();
            int port = ProxyHarness.freePort();
            ProxyConfig before = ProxyHarness.secretWhenOn(ProxyConfig.forUpstream(first)
                    .withLimits(Limits.defaults().with(Limits.Limit.UPSTREAM_MOVES_PER_SECOND, 2))
                    .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:" + port)));
            try (ProxyServer proxy = ProxyServer.start(before)) {
                await().atMost(DEADLINE).until(proxy::ready);
                List<TestClient> clients = new ArrayList<>();
                List<Events> events = new ArrayList<>();
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        Events e = new Events();
                        TestClient client = ProxyHarness.connect("127.0.0.1:" + port, e);
                        client.create("/eph-" + i, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                        clients.add(client);
                        events.add(e);
                    }
                    for (TestClient c : clients) {
                        assertEquals(servers.get(0).getPort(), serverOf(cluster, c.getSessionId()).getPort());
                    }

                    ProxyConfig after = before.withUpstream(before.upstream().withConnect(others));
                    assertEquals("applied", proxy.reload(after).outcome());

                    for (int i = 0; i < CLIENTS; i++) {
                        events.get(i).awaitState(KeeperState.Disconnected);
                        events.get(i).awaitState(KeeperState.SyncConnected);
                    }
                    for (int i = 0; i < CLIENTS; i++) {
                        TestClient c = clients.get(i);
                        assertNotNull(c.exists("/eph-" + i, false), "ephemeral of session " + i);
                        assertFalse(events.get(i).states().contains(KeeperState.Expired), events.get(i).states()
                                .toString());
                        assertTrue(serverOf(cluster, c.getSessionId()).getPort() != servers.get(0).getPort(),
                                "session " + i + " still on the server left out");
                    }
                    assertTrue(proxy.metrics().scrape().contains("reason=\"upstream_moved\",tenant=\"acme\"} "
                            + CLIENTS + ".0"), "every connection moved once");
                    assertEquals(UpstreamConfig.of(others).connect(), proxy.config().connectString());
                } finally {
                    for (TestClient c : clients) {
                        c.close();
                    }
                }
            }
        }
    }

    private static InstanceSpec serverOf(TestingCluster cluster, long sessionId) {
        return Upstreams.serverOf(cluster, sessionId, DEADLINE);
    }
}
