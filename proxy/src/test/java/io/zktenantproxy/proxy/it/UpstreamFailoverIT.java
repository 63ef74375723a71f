package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.ConnectResponse;
import org.junit.jupiter.api.Test;

/**
 * The upstream side of a proxied connection: one upstream connection per client connection, to a server chosen from
 * the shuffled connect string (the next one when a server refuses); when that server fails the client connection is
 * closed and the client, reconnecting, lands on a live server with its session; when the client goes away its
 * upstream connection is closed. Which server carries a session is read from the ensemble itself ({@code cons}).
 */
class UpstreamFailoverIT {
    private static final String CHROOT = "/tenants/acme";

    /**
     * A 3-server ensemble. Clients connect until one's upstream connection is on a follower; that follower is killed.
     * The client reconnects through the proxy to a live server with its session, ephemeral and watches; clients on
     * the other servers never notice.
     */
    @Test
    void theServerUnderASessionFailsAndTheSessionMovesOn() throws Exception {
        try (TestingCluster cluster = Upstreams.cluster(3);
             ProxyServer proxy = ProxyHarness.proxy(cluster.getConnectString(), "acme")) {
            String proxyAddress = ProxyHarness.connectString(proxy, "acme");
            InstanceSpec leader = leader(cluster);
            List<TestClient> clients = new ArrayList<>();
            List<Events> events = new ArrayList<>();
            TestClient victim = null;
            Events victimEvents = null;
            InstanceSpec victimServer = null;
            try {
                while (victim == null) {
                    assertTrue(clients.size() < 20, "20 connections and none upstream on a follower");
                    Events e = new Events();
                    TestClient c = ProxyHarness.connect(proxyAddress, e);
                    clients.add(c);
                    events.add(e);
                    InstanceSpec server = serverOf(cluster, c.getSessionId());
                    if (!server.equals(leader)) {
                        victim = c;
                        victimEvents = e;
                        victimServer = server;
                    }
                }
                long session = victim.getSessionId();
                victim.create("/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
                victim.create("/w", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                victim.getData("/w", true, null);

                assertTrue(cluster.killServer(victimServer));
                long killed = System.nanoTime();
                victimEvents.awaitState(KeeperState.Disconnected);
                // the proxy closes the client connection when its upstream drops: the client hears of it long
                // before its own read timeout (two thirds of the session timeout) would have told it
                Duration noticed = Duration.ofNanos(System.nanoTime() - killed);
                assertTrue(noticed.toMillis() < victim.getSessionTimeout() / 3,
                        "disconnect noticed after " + noticed + " (session timeout " + victim.getSessionTimeout() + ")");
                victimEvents.awaitState(KeeperState.SyncConnected);
                assertEquals(session, victim.getSessionId());
                InstanceSpec now = serverOf(cluster, session);
                assertNotEquals(victimServer, now);

                try (TestClient direct = ProxyHarness.upstream("127.0.0.1:" + now.getPort(), new Events())) {
                    assertEquals(session, direct.exists(CHROOT + "/e", false).getEphemeralOwner());
                    direct.setData(CHROOT + "/w", "after".getBytes(), -1);
                }
                assertEquals("NodeDataChanged /w", Events.format(victimEvents.next()));
                assertNotNull(victim.exists("/e", false));

                // one upstream connection per client connection: the others, elsewhere, never noticed
                for (int i = 0; i < clients.size(); i++) {
                    if (clients.get(i) != victim && !serverOf(cluster, clients.get(i).getSessionId())
                            .equals(victimServer)) {
                        assertEquals(List.of(KeeperState.SyncConnected), events.get(i).states());
                    }
                }
            } finally {
                for (TestClient c : clients) {
                    c.close();
                }
            }
        }
    }

    /** Servers of the connect string that refuse connections are skipped, for every client connection. */
    @Test
    void refusingServersAreSkipped() throws Exception {
        try (TestingServer server = Upstreams.server()) {
            String upstream = "127.0.0.1:" + ProxyHarness.freePort() + ",127.0.0.1:" + ProxyHarness.freePort()
                    + "," + server.getConnectString() + ",127.0.0.1:" + ProxyHarness.freePort();
            try (ProxyServer proxy = ProxyHarness.proxy(upstream, "acme")) {
                List<TestClient> clients = new ArrayList<>();
                try {
                    for (int i = 0; i < 6; i++) {
                        TestClient c = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), new Events());
                        clients.add(c);
                        c.create("/n-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL_SEQUENTIAL);
                    }
                    assertEquals(6, clients.get(0).getChildren("/", false).size());
                } finally {
                    for (TestClient c : clients) {
                        c.close();
                    }
                }
            }
        }
    }

    /**
     * Each client connection has an upstream connection of its own; a client that goes away without closing its
     * session takes its upstream connection with it (the session itself lives on until it times out).
     */
    @Test
    void theUpstreamConnectionLivesAndDiesWithTheClientConnection() throws Exception {
        try (TestingServer server = Upstreams.server();
             ProxyServer proxy = ProxyHarness.proxy(server.getConnectString(), "acme");
             TestClient root = ProxyHarness.upstream(server.getConnectString(), new Events())) {
            List<TestClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    clients.add(ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), new Events()));
                }
                String cons = Upstreams.fourLetterWord("127.0.0.1", server.getPort(), "cons");
                for (TestClient c : clients) {
                    assertTrue(cons.contains("sid=0x" + Long.toHexString(c.getSessionId())), cons);
                }
            } finally {
                for (TestClient c : clients) {
                    c.close();
                }
            }

            // a raw client: new session through the proxy, an ephemeral, then the socket just closes
            long session;
            try (Socket socket = new Socket("127.0.0.1", proxy.address("acme").getPort())) {
                OutputStream out = socket.getOutputStream();
                out.write(JuteFrames.connectRequest(0, new byte[16], ProxyHarness.SESSION_TIMEOUT_MS));
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                ConnectResponse response = JuteReader.readFirst(in.readNBytes(in.readInt()), new ConnectResponse());
                assertTrue(response.getTimeOut() > 0);
                session = response.getSessionId();
                String sid = "sid=0x" + Long.toHexString(session);
                await().atMost(Events.DEADLINE).until(() ->
                        Upstreams.fourLetterWord("127.0.0.1", server.getPort(), "cons").contains(sid));
            }
            String sid = "sid=0x" + Long.toHexString(session);
            await().atMost(Events.DEADLINE).until(() ->
                    !Upstreams.fourLetterWord("127.0.0.1", server.getPort(), "cons").contains(sid));
            // the session is not closed, only its connection: its ownership marker is still there
            assertNotNull(root.exists("/zk-tenant-proxy/sessions/" + Long.toHexString(session), false));
        }
    }

    private static InstanceSpec serverOf(TestingCluster cluster, long sessionId) {
        return Upstreams.serverOf(cluster, sessionId, Events.DEADLINE);
    }

    private static InstanceSpec leader(TestingCluster cluster) {
        return await().atMost(Events.DEADLINE).until(() -> {
            for (InstanceSpec spec : cluster.getInstances()) {
                if (Upstreams.fourLetterWord("127.0.0.1", spec.getPort(), "srvr").contains("Mode: leader")) {
                    return spec;
                }
            }
            return null;
        }, Objects::nonNull);
    }

}
