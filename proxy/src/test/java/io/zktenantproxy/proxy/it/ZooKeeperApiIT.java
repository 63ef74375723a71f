package io.zktenantproxy.proxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.quorum.flexible.QuorumMaj;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every operation of the ZooKeeper 3.9 Java client through the proxy, checked twice: what the tenant sees (client
 * paths, codes, data) and where it lands upstream (under {@code /tenants/acme}, looked at by a client of the
 * ensemble itself). Watches of every kind must fire with tenant paths. {@code /zookeeper/config} must be the
 * proxy's advertised addresses.
 *
 * <p>One server and one proxy for the class; each test works under top-level nodes of its own.
 */
class ZooKeeperApiIT {
    private static final String CHROOT = "/tenants/acme";
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    private static final String CONTAINER_CHECK_INTERVAL = "znode.container.checkIntervalMs";

    private static TestingServer server;
    private static ProxyServer proxy;
    private static int proxyPort;
    private static List<String> advertised;

    private final Events events = new Events();
    private final Events writerEvents = new Events();
    private TestClient zk;
    private TestClient writer;
    private ZooKeeper upstream;

    @BeforeAll
    static void startProxy() throws Exception {
        // this class's server reaps empty containers and expired TTL nodes every 100 ms (read once, at start)
        System.setProperty(CONTAINER_CHECK_INTERVAL, "100");
        try {
            server = Upstreams.server();
        } finally {
            System.clearProperty(CONTAINER_CHECK_INTERVAL);
        }
        proxyPort = ProxyHarness.freePort();
        advertised = List.of("127.0.0.1:" + proxyPort, "127.0.0.2:7451");
        proxy = ProxyHarness.proxyOnPort(server.getConnectString(), "acme", proxyPort, advertised);
    }

    @AfterAll
    static void stopProxy() throws Exception {
        proxy.close();
        server.close();
    }

    @BeforeEach
    void connect() throws Exception {
        zk = ProxyHarness.connect("127.0.0.1:" + proxyPort, events);
        writer = ProxyHarness.connect("127.0.0.1:" + proxyPort, writerEvents);
        upstream = ProxyHarness.upstream(server.getConnectString());
    }

    @AfterEach
    void close() throws Exception {
        zk.close();
        writer.close();
        upstream.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private Stat upstreamStat(String clientPath) throws Exception {
        return upstream.exists(CHROOT + clientPath, false);
    }

    @Test
    void createInEveryMode() throws Exception {
        assertEquals("/modes", zk.create("/modes", bytes("p"), OPEN, CreateMode.PERSISTENT));
        assertEquals("/modes/e", zk.create("/modes/e", bytes("e"), OPEN, CreateMode.EPHEMERAL));
        assertEquals("/modes/s-0000000001", zk.create("/modes/s-", bytes("s"), OPEN,
                CreateMode.PERSISTENT_SEQUENTIAL));
        assertEquals("/modes/es-0000000002", zk.create("/modes/es-", bytes("es"), OPEN,
                CreateMode.EPHEMERAL_SEQUENTIAL));
        assertEquals("/modes/c", zk.create("/modes/c", bytes("c"), OPEN, CreateMode.CONTAINER));
        Stat ttlStat = new Stat();
        assertEquals("/modes/t", zk.create("/modes/t", bytes("t"), OPEN, CreateMode.PERSISTENT_WITH_TTL, ttlStat,
                60_000));
        assertEquals("/modes/ts-0000000005", zk.create("/modes/ts-", bytes("ts"), OPEN,
                CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, new Stat(), 60_000));
        Stat create2Stat = new Stat();
        assertEquals("/modes/c2", zk.create("/modes/c2", bytes("c2"), OPEN, CreateMode.PERSISTENT, create2Stat));
        Stat containerStat = new Stat();
        assertEquals("/modes/c3", zk.create("/modes/c3", bytes("c3"), OPEN, CreateMode.CONTAINER, containerStat));

        // create2 (and createTTL, createContainer) return the new node's Stat
        assertEquals(2, create2Stat.getDataLength());
        assertEquals(create2Stat, zk.exists("/modes/c2", false));
        assertEquals(ttlStat, zk.exists("/modes/t", false));
        assertEquals(containerStat, zk.exists("/modes/c3", false));

        // upstream: each under the chroot, with the owner its mode implies
        assertEquals(zk.getSessionId(), upstreamStat("/modes/e").getEphemeralOwner());
        assertEquals(zk.getSessionId(), upstreamStat("/modes/es-0000000002").getEphemeralOwner());
        assertEquals(0, upstreamStat("/modes/s-0000000001").getEphemeralOwner());
        // (ZooKeeper shows clients 0 as the owner of container and TTL nodes: see containerAndTtlNodes for those)
        assertEquals(0, upstreamStat("/modes/c").getEphemeralOwner());
        assertArrayEquals(bytes("c2"), upstream.getData(CHROOT + "/modes/c2", false, null));
        assertEquals(new TreeSet<>(List.of("c", "c2", "c3", "e", "es-0000000002", "s-0000000001", "t",
                "ts-0000000005")), new TreeSet<>(upstream.getChildren(CHROOT + "/modes", false)));
        assertNull(upstream.exists("/modes", false));

        // async create callbacks get the tenant path too
        CompletableFuture<String> created = new CompletableFuture<>();
        zk.create("/modes/async-", new byte[0], OPEN, CreateMode.PERSISTENT_SEQUENTIAL,
                (rc, path, ctx, name) -> created.complete(rc + " " + path + " " + name), null);
        assertEquals("0 /modes/async- /modes/async-0000000008", created.get(30, TimeUnit.SECONDS));

        // errors carry the client's path and the server's code
        KeeperException exists = assertThrows(KeeperException.NodeExistsException.class,
                () -> zk.create("/modes", new byte[0], OPEN, CreateMode.PERSISTENT));
        assertEquals("/modes", exists.getPath());
        KeeperException noParent = assertThrows(KeeperException.NoNodeException.class,
                () -> zk.create("/no/parent", new byte[0], OPEN, CreateMode.PERSISTENT));
        assertEquals("/no/parent", noParent.getPath());
        assertThrows(KeeperException.NoChildrenForEphemeralsException.class,
                () -> zk.create("/modes/e/child", new byte[0], OPEN, CreateMode.PERSISTENT));
    }

    /** Container and TTL nodes behave as such upstream: the ensemble reaps them (it must know their type). */
    @Test
    void containerAndTtlNodesAreReapedByTheEnsemble() throws Exception {
        zk.create("/reap", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.create("/reap/container", new byte[0], OPEN, CreateMode.CONTAINER);
        zk.create("/reap/container/child", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.create("/reap/ttl", new byte[0], OPEN, CreateMode.PERSISTENT_WITH_TTL, null, 1);
        zk.multi(List.of(
                Op.create("/reap/multi-container", new byte[0], OPEN, CreateMode.CONTAINER),
                Op.create("/reap/multi-container/child", new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.create("/reap/multi-ttl", new byte[0], OPEN, CreateMode.PERSISTENT_WITH_TTL, 1)));
        zk.delete("/reap/container/child", -1);
        zk.delete("/reap/multi-container/child", -1);
        await().atMost(Events.DEADLINE).untilAsserted(() ->
                assertEquals(List.of(), upstream.getChildren(CHROOT + "/reap", false)));
        assertNotNull(zk.exists("/reap", false));
    }

    @Test
    void sequentialCreateOnTheRootLandsInsideTheChroot() throws Exception {
        String name = zk.create("/", bytes("r"), OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
        assertTrue(name.matches("/\\d{10}"), name);
        assertArrayEquals(bytes("r"), upstream.getData(CHROOT + name, false, null));
        zk.delete(name, -1);
    }

    @Test
    void readWriteAndDelete() throws Exception {
        zk.create("/rw", bytes("v0"), OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/a", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/b", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.create("/rw/b/c", new byte[0], OPEN, CreateMode.PERSISTENT);

        Stat stat = zk.exists("/rw", false);
        assertNotNull(stat);
        assertEquals(2, stat.getNumChildren());
        assertNull(zk.exists("/rw/missing", false));
        assertEquals(upstreamStat("/rw"), stat);

        Stat read = new Stat();
        assertArrayEquals(bytes("v0"), zk.getData("/rw", false, read));
        assertEquals(stat, read);
        assertThrows(KeeperException.NoNodeException.class, () -> zk.getData("/rw/missing", false, null));

        Stat written = zk.setData("/rw", bytes("v1"), 0);
        assertEquals(1, written.getVersion());
        assertArrayEquals(bytes("v1"), upstream.getData(CHROOT + "/rw", false, null));
        assertThrows(KeeperException.BadVersionException.class, () -> zk.setData("/rw", bytes("v2"), 0));

        assertEquals(List.of("a", "b"), sorted(zk.getChildren("/rw", false)));
        Stat childrenStat = new Stat();
        assertEquals(List.of("a", "b"), sorted(zk.getChildren("/rw", false, childrenStat)));
        assertEquals(written, childrenStat);
        assertEquals(3, zk.getAllChildrenNumber("/rw"));
        assertEquals(upstream.getAllChildrenNumber(CHROOT), zk.getAllChildrenNumber("/"));
        assertTrue(zk.getChildren("/", false).contains("rw"));
        assertEquals(new TreeSet<>(upstream.getChildren(CHROOT, false)), new TreeSet<>(zk.getChildren("/", false)));

        assertThrows(KeeperException.NotEmptyException.class, () -> zk.delete("/rw/b", -1));
        assertThrows(KeeperException.BadVersionException.class, () -> zk.delete("/rw/a", 7));
        zk.delete("/rw/a", 0);
        assertNull(upstreamStat("/rw/a"));
        assertThrows(KeeperException.NoNodeException.class, () -> zk.delete("/rw/a", -1));
        CompletableFuture<String> deleted = new CompletableFuture<>();
        zk.delete("/rw/b/c", -1, (rc, path, ctx) -> deleted.complete(rc + " " + path), null);
        assertEquals("0 /rw/b/c", deleted.get(30, TimeUnit.SECONDS));

        // the tenant's root is the chroot znode, which it cannot delete
        assertThrows(KeeperException.class, () -> zk.delete("/", -1));
        assertNotNull(upstream.exists(CHROOT, false));
    }

    @Test
    void ephemeralsWithAndWithoutPrefix() throws Exception {
        zk.create("/eph", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.create("/eph/a1", new byte[0], OPEN, CreateMode.EPHEMERAL);
        zk.create("/eph/a2", new byte[0], OPEN, CreateMode.EPHEMERAL);
        zk.create("/eph/b1", new byte[0], OPEN, CreateMode.EPHEMERAL);
        zk.create("/ephx", new byte[0], OPEN, CreateMode.EPHEMERAL);
        writer.create("/eph/theirs", new byte[0], OPEN, CreateMode.EPHEMERAL);

        assertEquals(List.of("/eph/a1", "/eph/a2", "/eph/b1", "/ephx"), sorted(zk.getEphemerals()));
        assertEquals(List.of("/eph/a1", "/eph/a2", "/eph/b1", "/ephx"), sorted(zk.getEphemerals("/")));
        assertEquals(List.of("/eph/a1", "/eph/a2"), sorted(zk.getEphemerals("/eph/a")));
        // the prefix is a plain string prefix, as in ZooKeeper itself
        assertEquals(List.of("/eph/a1", "/eph/a2", "/eph/b1", "/ephx"), sorted(zk.getEphemerals("/eph")));
        assertEquals(List.of(), zk.getEphemerals("/nothing"));
        assertEquals(List.of("/eph/theirs"), writer.getEphemerals());

        CompletableFuture<List<String>> async = new CompletableFuture<>();
        zk.getEphemerals("/eph/b", (rc, ctx, paths) -> async.complete(paths), null);
        assertEquals(List.of("/eph/b1"), async.get(30, TimeUnit.SECONDS));
    }

    @Test
    void sync() throws Exception {
        zk.create("/sync", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.sync("/sync");
        CompletableFuture<String> synced = new CompletableFuture<>();
        zk.sync("/sync", (rc, path, ctx) -> synced.complete(rc + " " + path), null);
        assertEquals("0 /sync", synced.get(30, TimeUnit.SECONDS));
        zk.sync("/");
    }

    @Test
    void multiSucceeds() throws Exception {
        List<OpResult> results = zk.multi(List.of(
                Op.create("/m", bytes("m"), OPEN, CreateMode.PERSISTENT),
                Op.create("/m/s-", new byte[0], OPEN, CreateMode.PERSISTENT_SEQUENTIAL),
                Op.create("/m/e", new byte[0], OPEN, CreateMode.EPHEMERAL),
                Op.create("/m/c", new byte[0], OPEN, CreateMode.CONTAINER),
                Op.create("/m/t", new byte[0], OPEN, CreateMode.PERSISTENT_WITH_TTL, 60_000),
                Op.setData("/m", bytes("m2"), 0),
                Op.check("/m", 1),
                Op.delete("/m/s-0000000000", 0)));
        assertEquals(8, results.size());
        assertEquals("/m", ((OpResult.CreateResult) results.get(0)).getPath());
        assertEquals("/m/s-0000000000", ((OpResult.CreateResult) results.get(1)).getPath());
        assertEquals("/m/e", ((OpResult.CreateResult) results.get(2)).getPath());
        OpResult.CreateResult container = (OpResult.CreateResult) results.get(3);
        assertEquals("/m/c", container.getPath());
        assertNotNull(container.getStat());
        OpResult.CreateResult ttl = (OpResult.CreateResult) results.get(4);
        assertEquals("/m/t", ttl.getPath());
        assertEquals(upstreamStat("/m/t").getCtime(), ttl.getStat().getCtime());
        assertEquals(1, ((OpResult.SetDataResult) results.get(5)).getStat().getVersion());
        assertInstanceOf(OpResult.CheckResult.class, results.get(6));
        assertInstanceOf(OpResult.DeleteResult.class, results.get(7));

        assertArrayEquals(bytes("m2"), upstream.getData(CHROOT + "/m", false, null));
        assertEquals(zk.getSessionId(), upstreamStat("/m/e").getEphemeralOwner());
        assertEquals(List.of("c", "e", "t"), sorted(upstream.getChildren(CHROOT + "/m", false)));

        CompletableFuture<List<OpResult>> async = new CompletableFuture<>();
        zk.multi(List.of(Op.create("/m/async", new byte[0], OPEN, CreateMode.PERSISTENT)),
                (rc, path, ctx, opResults) -> async.complete(opResults), null);
        assertEquals("/m/async", ((OpResult.CreateResult) async.get(30, TimeUnit.SECONDS).get(0)).getPath());
    }

    @Test
    void multiFailsAtomicallyWithPerOpCodes() throws Exception {
        zk.create("/mf", new byte[0], OPEN, CreateMode.PERSISTENT);
        KeeperException noNode = assertThrows(KeeperException.NoNodeException.class, () -> zk.multi(List.of(
                Op.create("/mf/ok", new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.delete("/mf/missing", -1),
                Op.setData("/mf", new byte[0], -1))));
        assertEquals(List.of(0, KeeperException.Code.NONODE.intValue(),
                KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()), errors(noNode.getResults()));
        assertNull(upstreamStat("/mf/ok"));
        assertNull(zk.exists("/mf/ok", false));

        KeeperException badVersion = assertThrows(KeeperException.BadVersionException.class, () -> zk.multi(List.of(
                Op.check("/mf", 5),
                Op.create("/mf/never", new byte[0], OPEN, CreateMode.PERSISTENT))));
        assertEquals(List.of(KeeperException.Code.BADVERSION.intValue(),
                KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()), errors(badVersion.getResults()));

        KeeperException exists = assertThrows(KeeperException.NodeExistsException.class, () -> zk.multi(List.of(
                Op.create("/mf", new byte[0], OPEN, CreateMode.PERSISTENT))));
        assertEquals(List.of(KeeperException.Code.NODEEXISTS.intValue()), errors(exists.getResults()));
        assertNull(upstreamStat("/mf/never"));

        CompletableFuture<String> async = new CompletableFuture<>();
        zk.multi(List.of(Op.delete("/mf/missing", -1)),
                (rc, path, ctx, opResults) -> async.complete(rc + " " + errors(opResults)), null);
        assertEquals(KeeperException.Code.NONODE.intValue() + " [" + KeeperException.Code.NONODE.intValue() + "]",
                async.get(30, TimeUnit.SECONDS));
    }

    @Test
    void multiRead() throws Exception {
        zk.create("/mr", bytes("d"), OPEN, CreateMode.PERSISTENT);
        zk.create("/mr/x", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.create("/mr/y", new byte[0], OPEN, CreateMode.PERSISTENT);
        List<OpResult> results = zk.multi(List.of(
                Op.getData("/mr"),
                Op.getChildren("/mr"),
                Op.getData("/mr/missing"),
                Op.getChildren("/")));
        assertArrayEquals(bytes("d"), ((OpResult.GetDataResult) results.get(0)).getData());
        assertEquals(zk.exists("/mr", false), ((OpResult.GetDataResult) results.get(0)).getStat());
        assertEquals(List.of("x", "y"), sorted(((OpResult.GetChildrenResult) results.get(1)).getChildren()));
        assertEquals(KeeperException.Code.NONODE.intValue(), ((OpResult.ErrorResult) results.get(2)).getErr());
        assertTrue(((OpResult.GetChildrenResult) results.get(3)).getChildren().contains("mr"));
    }

    @Test
    void acls() throws Exception {
        zk.create("/acl", bytes("a"), OPEN, CreateMode.PERSISTENT);
        Stat stat = new Stat();
        assertEquals(OPEN, zk.getACL("/acl", stat));
        assertEquals(0, stat.getAversion());

        List<ACL> readOnly = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE)));
        assertThrows(KeeperException.BadVersionException.class, () -> zk.setACL("/acl", readOnly, 5));
        assertEquals(1, zk.setACL("/acl", readOnly, 0).getAversion());
        assertEquals(readOnly, zk.getACL("/acl", new Stat()));
        List<ACL> stored = upstream.getACL(CHROOT + "/acl", new Stat());
        if (TestSecret.sharedWhenOn() == null) {
            assertEquals(readOnly, stored);
        } else { // world:anyone is the tenant's identity upstream; the platform is added
            assertEquals(List.of(ZooDefs.Perms.READ, ZooDefs.Perms.ALL), stored.stream().map(ACL::getPerms).toList());
            assertTrue(stored.stream().allMatch(a -> a.getId().getScheme().equals("digest")), stored.toString());
        }
        assertThrows(KeeperException.NoAuthException.class, () -> zk.setData("/acl", bytes("b"), -1));
        assertThrows(KeeperException.NoAuthException.class, () -> zk.setACL("/acl", OPEN, 1));
        assertThrows(KeeperException.NoNodeException.class, () -> zk.getACL("/acl-missing", null));

        // digest ACLs work as they do directly: the creator's identity through the proxy
        zk.addAuthInfo("digest", bytes("alice:secret"));
        zk.create("/acl-mine", bytes("m"), ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        assertThrows(KeeperException.NoAuthException.class, () -> writer.getData("/acl-mine", false, null));
        assertArrayEquals(bytes("m"), zk.getData("/acl-mine", false, null));
        List<ACL> acl = zk.getACL("/acl-mine", null);
        assertEquals(1, acl.size());
        assertEquals("digest", acl.get(0).getId().getScheme());
        assertTrue(acl.get(0).getId().getId().startsWith("alice:"));

        // the chroot znode's ACL belongs to the platform
        assertThrows(KeeperException.NoAuthException.class, () -> zk.setACL("/", readOnly, -1));
        assertEquals(OPEN, zk.getACL("/", null));
        if (TestSecret.sharedWhenOn() == null) {
            assertEquals(OPEN, upstream.getACL(CHROOT, null));
        }
    }

    @Test
    void whoAmI() throws Exception {
        List<ClientInfo> anonymous = zk.whoAmI();
        assertEquals(List.of("ip:127.0.0.1"), anonymous.stream().map(c -> c.getAuthScheme() + ":" + c.getUser())
                .toList());
        zk.addAuthInfo("digest", bytes("bob:pw"));
        List<String> identities = zk.whoAmI().stream().map(c -> c.getAuthScheme() + ":" + c.getUser()).toList();
        assertTrue(identities.contains("digest:bob"), identities.toString());
    }

    @Test
    void oneShotWatchesFireWithTenantPaths() throws Exception {
        zk.create("/w", bytes("0"), OPEN, CreateMode.PERSISTENT);
        zk.getData("/w", true, null);                 // data watch
        zk.getChildren("/w", true);                   // child watch
        assertNull(zk.exists("/w/new", true));        // exists watch on a missing node
        zk.getChildren("/", true);                    // child watch on the tenant's root

        writer.setData("/w", bytes("1"), -1);
        writer.create("/w/new", new byte[0], OPEN, CreateMode.PERSISTENT);
        writer.create("/w2", new byte[0], OPEN, CreateMode.PERSISTENT);
        assertEquals(List.of("NodeDataChanged /w", "NodeCreated /w/new", "NodeChildrenChanged /w",
                "NodeChildrenChanged /"), events.drain(zk));

        // one-shot: changing again fires nothing until the watch is set again
        writer.setData("/w", bytes("2"), -1);
        assertEquals(List.of(), events.drain(zk));
        zk.exists("/w/new", true);
        zk.getData("/w", true, null);
        writer.delete("/w/new", -1);
        writer.delete("/w2", -1);
        assertEquals(List.of("NodeDeleted /w/new"), events.drain(zk));
        writer.setData("/w", bytes("3"), -1);
        assertEquals(List.of("NodeDataChanged /w"), events.drain(zk));

        // a watch on a deleted node reports NodeDeleted with the tenant path
        zk.getData("/w", true, null);
        writer.delete("/w", -1);
        assertEquals(List.of("NodeDeleted /w"), events.drain(zk));
    }

    @Test
    void persistentAndRecursiveWatches() throws Exception {
        zk.addWatch("/pw", AddWatchMode.PERSISTENT);
        writer.create("/pw", new byte[0], OPEN, CreateMode.PERSISTENT);
        writer.setData("/pw", bytes("1"), -1);
        writer.create("/pw/child", new byte[0], OPEN, CreateMode.PERSISTENT);
        writer.create("/pw/child/grandchild", new byte[0], OPEN, CreateMode.PERSISTENT);
        writer.delete("/pw/child/grandchild", -1);
        writer.delete("/pw/child", -1);
        writer.delete("/pw", -1);
        writer.create("/pw", new byte[0], OPEN, CreateMode.PERSISTENT);
        assertEquals(List.of("NodeCreated /pw", "NodeDataChanged /pw", "NodeChildrenChanged /pw",
                "NodeChildrenChanged /pw", "NodeDeleted /pw", "NodeCreated /pw"), events.drain(zk));

        zk.addWatch("/rec", events, AddWatchMode.PERSISTENT_RECURSIVE);
        writer.create("/rec", new byte[0], OPEN, CreateMode.PERSISTENT);
        writer.create("/rec/a", new byte[0], OPEN, CreateMode.PERSISTENT);
        writer.create("/rec/a/b", new byte[0], OPEN, CreateMode.PERSISTENT);
        writer.setData("/rec/a/b", bytes("x"), -1);
        writer.create("/recx", new byte[0], OPEN, CreateMode.PERSISTENT);   // a sibling by prefix, not a child
        writer.delete("/rec/a/b", -1);
        assertEquals(List.of("NodeCreated /rec", "NodeCreated /rec/a", "NodeCreated /rec/a/b",
                "NodeDataChanged /rec/a/b", "NodeDeleted /rec/a/b"), events.drain(zk));

        // recursive on the tenant's root: every change of the tenant, under tenant paths
        Events rootEvents = new Events();
        try (TestClient watcher = ProxyHarness.connect("127.0.0.1:" + proxyPort, rootEvents)) {
            watcher.addWatch("/", AddWatchMode.PERSISTENT_RECURSIVE);
            writer.create("/rootwatched", new byte[0], OPEN, CreateMode.PERSISTENT);
            writer.setData("/rec/a", bytes("y"), -1);
            upstream.create("/outside-the-chroot", new byte[0], OPEN, CreateMode.PERSISTENT);
            upstream.create("/tenants/acmecorp", new byte[0], OPEN, CreateMode.PERSISTENT);
            assertEquals(List.of("NodeCreated /rootwatched", "NodeDataChanged /rec/a"), rootEvents.drain(watcher));
        }
    }

    @Test
    void removeWatches() throws Exception {
        zk.create("/rm", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.getData("/rm", events, null);
        zk.getChildren("/rm", events);
        // checkWatches (17): remove one watcher's data watch
        zk.removeWatches("/rm", events, Watcher.WatcherType.Data, false);
        assertEquals(List.of("DataWatchRemoved /rm"), events.drain(zk));
        writer.setData("/rm", bytes("1"), -1);
        assertEquals(List.of(), events.drain(zk));
        // removeWatches (18): remove every child watch on the path
        zk.removeAllWatches("/rm", Watcher.WatcherType.Children, false);
        assertEquals(List.of("ChildWatchRemoved /rm"), events.drain(zk));
        writer.create("/rm/c", new byte[0], OPEN, CreateMode.PERSISTENT);
        assertEquals(List.of(), events.drain(zk));
        // the server says when there is nothing to remove
        assertThrows(KeeperException.NoWatcherException.class,
                () -> zk.removeWatches("/rm", events, Watcher.WatcherType.Data, false));
        // persistent watches are removed the same way
        zk.addWatch("/rm", AddWatchMode.PERSISTENT_RECURSIVE);
        zk.removeAllWatches("/rm", Watcher.WatcherType.PersistentRecursive, false);
        assertEquals(List.of("PersistentWatchRemoved /rm"), events.drain(zk));
        writer.create("/rm/d", new byte[0], OPEN, CreateMode.PERSISTENT);
        assertEquals(List.of(), events.drain(zk));
    }

    @Test
    void ensembleConfigIsTheProxysAdvertisedAddresses() throws Exception {
        Stat stat = new Stat();
        byte[] config = zk.getConfig(false, stat);
        assertEquals(advertised, clientAddresses(config));
        assertEquals(config.length, stat.getDataLength());
        assertArrayEquals(config, zk.getConfig(events, null));
        assertArrayEquals(config, zk.getData("/zookeeper/config", false, null));
        String text = new String(config, StandardCharsets.UTF_8);
        assertTrue(!text.contains(":" + server.getPort()), text);

        // with nothing advertised, a tenant on a fixed address advertises that address
        int port = ProxyHarness.freePort();
        try (ProxyServer own = ProxyHarness.proxyOnPort(server.getConnectString(), "acme", port, List.of());
             TestClient client = ProxyHarness.connect("127.0.0.1:" + port, new Events())) {
            assertEquals(List.of("127.0.0.1:" + port), clientAddresses(client.getConfig(false, null)));
        }
    }

    /** The client addresses of a dynamic config, as Curator's ensemble tracker reads them. */
    static List<String> clientAddresses(byte[] config) throws Exception {
        Properties properties = new Properties();
        properties.load(new ByteArrayInputStream(config));
        QuorumMaj quorum = new QuorumMaj(properties);
        List<String> out = new ArrayList<>();
        quorum.getAllMembers().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> out.add(e.getValue().clientAddr.getHostString() + ":"
                        + e.getValue().clientAddr.getPort()));
        return out;
    }

    @Test
    void pathsAreCheckedBeforeTheyLeaveTheTenant() throws Exception {
        // the client library refuses malformed paths itself; the proxy refuses what a client library would not
        assertThrows(IllegalArgumentException.class, () -> zk.create("/a/../b", new byte[0], OPEN,
                CreateMode.PERSISTENT));
        // a path naming the tenant's own chroot is just a path inside it
        zk.create("/tenants", new byte[0], OPEN, CreateMode.PERSISTENT);
        zk.create("/tenants/acme", new byte[0], OPEN, CreateMode.PERSISTENT);
        assertNotNull(upstream.exists(CHROOT + "/tenants/acme", false));
        assertEquals(List.of("acme"), zk.getChildren("/tenants", false));
    }

    private static List<String> sorted(List<String> list) {
        return new ArrayList<>(new TreeSet<>(list));
    }

    private static List<Integer> errors(List<OpResult> results) {
        return results.stream().map(r -> ((OpResult.ErrorResult) r).getErr()).toList();
    }
}
