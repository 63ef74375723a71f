package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Session resumption across proxy instances: ConnectRequest and ConnectResponse pass through untouched and zxids are
 * never rewritten, so a client whose proxy instance goes away resumes its session through another one (its connect
 * string lists both), with its ephemerals, and with its watches restored by the SetWatches/SetWatches2 it sends on
 * reconnecting (paths rewritten into the chroot again).
 */
class SessionResumptionIT {
    private static final String CHROOT = "/tenants/acme";

    private TestingServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ZooKeeper root;

    @BeforeEach
    void start() throws Exception {
        server = Upstreams.server();
        root = ProxyHarness.upstream(server.getConnectString());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        root.close();
        server.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    /**
     * Proxy A serves the client; it is closed; while the client has no proxy at all, the watched nodes change;
     * then proxy B starts on the second port of the client's connect string. The session must come back whole: the
     * changes made meanwhile fire the restored watches at once, and a watch set before the kill fires for a change
     * made after the move.
     */
    @Test
    void sessionMovesToASecondProxyInstanceWithEphemeralsAndWatches() throws Exception {
        ProxyServer proxyA = closeLater(ProxyHarness.proxy(server.getConnectString(), "acme"));
        int portA = proxyA.address("acme").getPort();
        int portB = ProxyHarness.freePort();
        Events events = new Events();
        TestClient client = closeLater(ProxyHarness.connect("127.0.0.1:" + portA + ",127.0.0.1:" + portB, events));
        long session = client.getSessionId();
        assertEquals(portA, client.connectedPort());

        client.create("/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        for (String path : List.of("/w", "/later", "/c", "/r")) {
            client.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        client.getData("/w", true, null);                 // data watch, fires while away
        client.getData("/later", true, null);             // data watch, fires after the move
        client.getChildren("/c", true);                   // child watch
        client.exists("/x", true);                        // exists watch on a missing node
        client.addWatch("/r", AddWatchMode.PERSISTENT_RECURSIVE);
        client.addWatch("/later", AddWatchMode.PERSISTENT);

        proxyA.close();
        events.awaitState(KeeperState.Disconnected);
        root.setData(CHROOT + "/w", "away".getBytes(), -1);
        root.create(CHROOT + "/c/child", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        root.create(CHROOT + "/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

        ProxyServer proxyB = closeLater(ProxyHarness.proxyOnPort(server.getConnectString(), "acme", portB, List.of()));
        events.awaitState(KeeperState.SyncConnected);
        assertEquals(session, client.getSessionId());
        assertEquals(portB, client.connectedPort());
        assertFalse(events.states().contains(KeeperState.Expired), events.states().toString());

        // the watches restored through B fire for what changed while the client was away
        assertEquals(List.of("NodeChildrenChanged /c", "NodeCreated /x", "NodeDataChanged /w"),
                new ArrayList<>(new TreeSet<>(events.drain(client))));
        // the ephemeral is still the session's
        assertEquals(session, root.exists(CHROOT + "/e", false).getEphemeralOwner());
        assertNotNull(client.exists("/e", false));
        // watches set before the kill fire after the move, with tenant paths
        root.setData(CHROOT + "/later", "now".getBytes(), -1);
        root.create(CHROOT + "/r/deep", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertEquals(List.of("NodeDataChanged /later", "NodeCreated /r/deep"), events.drain(client));
        // and the session works as before through B
        client.setData("/later", "again".getBytes(), -1);
        assertEquals(List.of("NodeDataChanged /later"), events.drain(client));
        assertTrue(proxyB.knownSessions() >= 1);
    }

    /**
     * Both instances up, the client on either: the one it is on is closed (as SIGTERM would), within its bound; the
     * client moves to the other one with the same session; the closed one accepts nobody any more.
     */
    @Test
    void closingTheProxyAClientIsOnMovesItToTheOther() throws Exception {
        ProxyServer proxyA = closeLater(ProxyHarness.proxy(server.getConnectString(), "acme"));
        ProxyServer proxyB = closeLater(ProxyHarness.proxy(server.getConnectString(), "acme"));
        int portA = proxyA.address("acme").getPort();
        int portB = proxyB.address("acme").getPort();
        Events events = new Events();
        TestClient client = closeLater(ProxyHarness.connect("127.0.0.1:" + portA + ",127.0.0.1:" + portB, events));
        long session = client.getSessionId();
        client.create("/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        client.create("/w", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        client.getData("/w", true, null);

        int before = client.connectedPort();
        ProxyServer current = before == portA ? proxyA : proxyB;
        long start = System.nanoTime();
        current.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(ProxyServer.SHUTDOWN_BOUND.plusSeconds(5)) < 0, "close took " + took);
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", before), 2_000);
            }
        }, "a closed proxy still accepts connections");

        events.awaitState(KeeperState.Disconnected);
        events.awaitState(KeeperState.SyncConnected);
        assertEquals(session, client.getSessionId());
        assertNotEquals(before, client.connectedPort());
        root.setData(CHROOT + "/w", "x".getBytes(), -1);
        assertEquals(List.of("NodeDataChanged /w"), events.drain(client));
        assertEquals(session, root.exists(CHROOT + "/e", false).getEphemeralOwner());
    }

    /**
     * Pings pass through: a client that only pings keeps a short session alive through the proxy for several
     * session timeouts (the ensemble expires a session that it hears nothing of for one).
     */
    @Test
    void pingsKeepAnIdleSessionAlive() throws Exception {
        ProxyServer proxy = closeLater(ProxyHarness.proxy(server.getConnectString(), "acme"));
        Events events = new Events();
        TestClient client = closeLater(new TestClient(ProxyHarness.connectString(proxy, "acme"), 2_000, events));
        events.awaitState(KeeperState.SyncConnected);
        int timeout = client.getSessionTimeout();
        assertTrue(timeout <= 4_000, "negotiated " + timeout);
        long session = client.getSessionId();
        client.create("/e", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        await().during(Duration.ofMillis(3L * timeout)).atMost(Duration.ofMillis(3L * timeout + 10_000))
                .until(() -> client.getState().isConnected() && events.states().size() == 1);
        assertEquals(session, root.exists(CHROOT + "/e", false).getEphemeralOwner());
        assertEquals(List.of(KeeperState.SyncConnected), events.states());
    }
}
