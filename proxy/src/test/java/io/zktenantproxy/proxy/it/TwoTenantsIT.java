package io.zktenantproxy.proxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.ConnectResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two tenants on one ensemble through one proxy, named so that one chroot is a string prefix of the other
 * ({@code /tenants/acme}, {@code /tenants/acmecorp}): the same paths, no interference either way, and the upstream
 * tree shows each tenant's nodes under its own chroot only. Plus a third tenant with a nested custom chroot.
 */
class TwoTenantsIT {
    private static final List<org.apache.zookeeper.data.ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    private TestingServer server;
    private ProxyServer proxy;
    private final Events acmeEvents = new Events();
    private final Events corpEvents = new Events();
    private TestClient acme;
    private TestClient corp;
    private ZooKeeper root;

    @BeforeEach
    void start() throws Exception {
        server = Upstreams.server();
        proxy = ProxyServer.start(ProxyConfig.forUpstream(server.getConnectString()).withTenants(
                TenantConfig.named("acme").withListen("127.0.0.1:0"),
                TenantConfig.named("acmecorp").withListen("127.0.0.1:0"),
                TenantConfig.named("deep").withChroot("/platform/teams/deep").withListen("127.0.0.1:0")));
        acme = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), acmeEvents);
        corp = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acmecorp"), corpEvents);
        root = ProxyHarness.connect(server.getConnectString(), (Watcher) null);
    }

    @AfterEach
    void stop() throws Exception {
        acme.close();
        corp.close();
        root.close();
        proxy.close();
        server.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The same operations by both tenants, on the same paths. */
    private static void populate(ZooKeeper zk, String tag) throws Exception {
        zk.create("/shared", bytes(tag), OPEN, CreateMode.PERSISTENT);
        zk.create("/shared/seq-", bytes(tag), OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
        zk.create("/shared/eph", bytes(tag), OPEN, CreateMode.EPHEMERAL);
        zk.multi(List.of(
                Op.create("/shared/" + tag, new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.setData("/shared", bytes(tag + "2"), 0)));
    }

    @Test
    void identicalPathsDoNotMeet() throws Exception {
        populate(acme, "A");
        populate(corp, "C");

        assertArrayEquals(bytes("A2"), acme.getData("/shared", false, null));
        assertArrayEquals(bytes("C2"), corp.getData("/shared", false, null));
        assertEquals(List.of("A", "eph", "seq-0000000000"), sorted(acme.getChildren("/shared", false)));
        assertEquals(List.of("C", "eph", "seq-0000000000"), sorted(corp.getChildren("/shared", false)));
        assertEquals(List.of("shared"), acme.getChildren("/", false));
        assertEquals(4, acme.getAllChildrenNumber("/"));
        assertEquals(List.of("/shared/eph"), acme.getEphemerals());
        assertEquals(List.of("/shared/eph"), corp.getEphemerals());
        assertNull(acme.exists("/shared/C", false));
        assertEquals(1, acme.exists("/shared", false).getVersion());

        // upstream: each tenant's tree under its own chroot, nothing anywhere else
        assertEquals(List.of("acme", "acmecorp"), sorted(root.getChildren("/tenants", false)));
        assertArrayEquals(bytes("A2"), root.getData("/tenants/acme/shared", false, null));
        assertArrayEquals(bytes("C2"), root.getData("/tenants/acmecorp/shared", false, null));
        assertEquals(acme.getSessionId(), root.exists("/tenants/acme/shared/eph", false).getEphemeralOwner());
        assertEquals(corp.getSessionId(), root.exists("/tenants/acmecorp/shared/eph", false).getEphemeralOwner());
        assertEquals(List.of("platform", "tenants", "zk-tenant-proxy", "zookeeper"),
                sorted(root.getChildren("/", false)));

        // one tenant deleting its tree leaves the other's alone
        acme.delete("/shared/eph", -1);
        acme.delete("/shared/A", -1);
        acme.delete("/shared/seq-0000000000", -1);
        acme.delete("/shared", -1);
        assertEquals(List.of(), acme.getChildren("/", false));
        assertArrayEquals(bytes("C2"), corp.getData("/shared", false, null));
        assertEquals(4, corp.getAllChildrenNumber("/"));
    }

    @Test
    void watchesNeverFireAcrossTenants() throws Exception {
        acme.create("/shared", bytes("A"), OPEN, CreateMode.PERSISTENT);
        corp.create("/shared", bytes("C"), OPEN, CreateMode.PERSISTENT);
        acme.addWatch("/", AddWatchMode.PERSISTENT_RECURSIVE);
        acme.getData("/shared", true, null);
        acme.getChildren("/shared", true);
        assertNull(acme.exists("/other", true));

        // everything acme watches, done by acmecorp on its own tree
        corp.setData("/shared", bytes("C1"), -1);
        corp.create("/shared/child", new byte[0], OPEN, CreateMode.PERSISTENT);
        corp.create("/other", new byte[0], OPEN, CreateMode.PERSISTENT);
        corp.delete("/shared/child", -1);
        corp.addWatch("/", AddWatchMode.PERSISTENT_RECURSIVE);
        // one server, so any event for those would reach acme before the one for this create
        acme.create("/marker", new byte[0], OPEN, CreateMode.PERSISTENT);
        assertEquals(List.of("NodeCreated /marker"), acmeEvents.drain(acme));
        assertEquals(List.of(), corpEvents.drain(corp));

        // and the watches acme set are still there, for its own changes (one watcher: delivered once)
        acme.setData("/shared", bytes("A1"), -1);
        assertEquals(List.of("NodeDataChanged /shared"), acmeEvents.drain(acme));
        assertEquals(List.of(), corpEvents.drain(corp));
    }

    @Test
    void aNestedChrootIsCreatedWithItsParents() throws Exception {
        try (TestClient deep = ProxyHarness.connect(ProxyHarness.connectString(proxy, "deep"), new Events())) {
            deep.create("/x", bytes("d"), OPEN, CreateMode.PERSISTENT);
            assertArrayEquals(bytes("d"), root.getData("/platform/teams/deep/x", false, null));
            assertEquals(0, root.exists("/platform/teams/deep", false).getDataLength());
            assertEquals(List.of("x"), deep.getChildren("/", false));
        }
    }

    /** A session id and password prove the session, not the tenant: a resume through another tenant is refused. */
    @Test
    void aSessionCannotBeResumedThroughAnotherTenant() throws Exception {
        acme.create("/mine", new byte[0], OPEN, CreateMode.EPHEMERAL);
        InetSocketAddress corpPort = proxy.address("acmecorp");
        InetSocketAddress acmePort = proxy.address("acme");

        assertTrue(resume(corpPort, acme.getSessionId(), acme.getSessionPasswd()) == null,
                "acmecorp's port resumed acme's session");

        // control: the very same request through acme's own port resumes the session
        Long resumed = resume(acmePort, acme.getSessionId(), acme.getSessionPasswd());
        assertEquals(acme.getSessionId(), resumed);
        // (the server moved the session to that connection and closed acme's; acme reconnects and carries on)
        acmeEvents.awaitState(Watcher.Event.KeeperState.SyncConnected);
        assertNotNull(acme.exists("/mine", false));
        assertEquals(acme.getSessionId(), root.exists("/tenants/acme/mine", false).getEphemeralOwner());
    }

    /**
     * Sends a ConnectRequest resuming {@code sessionId} and reads the answer.
     *
     * @return the session id of the ConnectResponse, or null if the connection was closed without one
     */
    private static Long resume(InetSocketAddress address, long sessionId, byte[] password) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 5_000);
            socket.setSoTimeout((int) Events.DEADLINE.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(JuteFrames.connectRequest(sessionId, password, ProxyHarness.SESSION_TIMEOUT_MS));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int length;
            try {
                length = in.readInt();
            } catch (EOFException | SocketException e) {
                return null;
            }
            assertTrue(length >= 4 + 4 + 8 + 4, "ConnectResponse length " + length);
            ConnectResponse response = JuteReader.readFirst(in.readNBytes(length), new ConnectResponse());
            assertTrue(response.getTimeOut() > 0, "the session expired");
            return response.getSessionId();
        }
    }

    private static List<String> sorted(List<String> list) {
        return new ArrayList<>(new TreeSet<>(list));
    }
}
