package io.zktenantproxy.proxy.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zktenantproxy.proxy.cli.Cli;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.Events;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.TestSecret;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant identities on the ensemble (SECURITY.md, "Tenant identities on the ensemble"): with an upstream secret, a
 * client that goes around the proxy gets {@code NOAUTH} on every tenant znode and cannot even list the tenants, while
 * a client of the proxy sees exactly what it would see on an ensemble of its own.
 */
class TenantIdentityIT {
    private static final byte[] DATA = "leader-address".getBytes(StandardCharsets.UTF_8);

    private TestingServer zk;
    private Path secret;
    private ProxyServer proxy;
    private OperatorClient platform;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        zk = Upstreams.server();
        secret = TestSecret.file(1);
        proxy = startProxy(secret, "acme", "globex");
        platform = TestSecret.platformClient(zk.getConnectString(), secret);
    }

    private ProxyServer startProxy(Path secretFile, String... tenants) {
        List<TenantConfig> list = new ArrayList<>();
        for (String t : tenants) {
            list.add(TenantConfig.named(t).withListen("127.0.0.1:0"));
        }
        return ProxyServer.start(ProxyConfig.forUpstream(zk.getConnectString()).withTenants(list)
                .withSecretFile(secretFile.toString()));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        platform.close();
        proxy.close();
        zk.close();
    }

    private ZooKeeper tenant(String name) throws Exception {
        return track(ProxyHarness.connect(ProxyHarness.connectString(proxy, name), (Watcher) null));
    }

    private ZooKeeper direct(String digest) throws Exception {
        ZooKeeper client = track(ProxyHarness.connect(zk.getConnectString(), (Watcher) null));
        if (digest != null) {
            client.addAuthInfo("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        return client;
    }

    /** @return {@code closeable}, to be closed after the test, before everything tracked earlier */
    private <T extends AutoCloseable> T track(T closeable) {
        closing.add(0, closeable);
        return closeable;
    }

    /** Every znode under {@code root} upstream, read as the platform. */
    private List<String> upstreamTree(String root) throws Exception {
        List<String> paths = new ArrayList<>();
        collect(platform.curator(), root, paths);
        return paths;
    }

    private static void collect(CuratorFramework curator, String path, List<String> out) throws Exception {
        out.add(path);
        for (String child : curator.getChildren().forPath(path)) {
            collect(curator, (path.equals("/") ? "" : path) + "/" + child, out);
        }
    }

    private static void assertNoAuth(String what, ThrowingRunnable call) {
        KeeperException e = assertThrows(KeeperException.class, call::run, what);
        assertEquals(KeeperException.Code.NOAUTH, e.code(), what + ": " + e);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private void assertClosedToDirectClients(ZooKeeper direct, List<String> paths) {
        for (String path : paths) {
            assertNoAuth("getData " + path, () -> direct.getData(path, false, null));
            assertNoAuth("getData with watch " + path, () -> direct.getData(path, true, null));
            assertNoAuth("getChildren " + path, () -> direct.getChildren(path, true));
            assertNoAuth("setData " + path, () -> direct.setData(path, new byte[] {1}, -1));
            assertNoAuth("create under " + path, () -> direct.create(path + "/intruder", new byte[0],
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertNoAuth("setACL " + path, () -> direct.setACL(path, ZooDefs.Ids.OPEN_ACL_UNSAFE, -1));
        }
    }

    @Test
    void aDirectClientGetsNoAuthOnEveryTenantZnodeAndCannotListTheTenants() throws Exception {
        ZooKeeper acme = tenant("acme");
        acme.create("/flink", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.create("/flink/seq-", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
        acme.create("/flink/eph", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        acme.create("/flink/container", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.CONTAINER);
        acme.create("/flink/container/child", DATA, ZooDefs.Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.create("/flink/ttl", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_WITH_TTL, null, 60_000);
        acme.multi(List.of(Op.create("/flink/multi", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT)));

        // Curator recipes through the proxy: a latch, a lock, a shared count, a cache (persistent recursive watch)
        CuratorFramework curator = track(CuratorFrameworkFactory.newClient(ProxyHarness.connectString(proxy, "acme"),
                30_000, 30_000, new RetryNTimes(3, 200)));
        curator.start();
        LeaderLatch latch = track(new LeaderLatch(curator, "/recipes/latch"));
        latch.start();
        assertTrue(latch.await(30, TimeUnit.SECONDS));
        InterProcessMutex lock = new InterProcessMutex(curator, "/recipes/lock");
        assertTrue(lock.acquire(30, TimeUnit.SECONDS));
        SharedCount count = track(new SharedCount(curator, "/recipes/count", 0));
        count.start();
        assertTrue(count.trySetCount(count.getVersionedValue(), 7));
        CuratorCache cache = track(CuratorCache.build(curator, "/recipes"));
        cache.start();

        String chroot = "/tenants/acme";
        List<String> paths = upstreamTree(chroot);
        assertTrue(paths.size() >= 12, "the tenant's tree upstream: " + paths);
        ZooKeeper anonymous = direct(null);
        ZooKeeper guessing = direct(Identities.tenantUser("acme") + ":a-guessed-password");
        ZooKeeper platformGuess = direct(Identities.PLATFORM_USER + ":another-guess");
        for (ZooKeeper outsider : List.of(anonymous, guessing, platformGuess)) {
            assertClosedToDirectClients(outsider, paths);
            assertNoAuth("list the tenants", () -> outsider.getChildren("/tenants", false));
            assertNoAuth("list the session markers", () -> outsider.getChildren("/zk-tenant-proxy/sessions", false));
            assertNoAuth("list the proxy's tree", () -> outsider.getChildren("/zk-tenant-proxy", false));
        }
        lock.release();
    }

    /**
     * ZooKeeper accepts {@code addWatch} without checking ACLs, but since 3.9.2 (and 3.8.4) checks READ for every event
     * it would deliver: a direct client's recursive watch, on the root or on the chroot itself, sees nothing.
     */
    @Test
    void aRecursiveWatchOnTheRootSeesNothingOfTheTenants() throws Exception {
        ZooKeeper acme = tenant("acme");
        ZooKeeper outsider = direct(null);
        BlockingQueue<WatchedEvent> events = new LinkedBlockingQueue<>();
        outsider.addWatch("/", events::add, AddWatchMode.PERSISTENT_RECURSIVE);
        outsider.addWatch("/tenants/acme", events::add, AddWatchMode.PERSISTENT);
        acme.create("/job", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.setData("/job", new byte[] {2}, -1);
        acme.delete("/job", -1);
        // a znode of the outsider's own, after the tenant's changes: its event marks the end of what can arrive
        outsider.create("/probe", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        while (true) {
            WatchedEvent event = events.poll(30, TimeUnit.SECONDS);
            if (event == null) {
                fail("the probe's event never came");
            }
            if ("/probe".equals(event.getPath())) {
                break;
            }
            assertFalse(event.getPath() != null && (event.getPath().startsWith("/tenants")
                    || event.getPath().startsWith("/zk-tenant-proxy")), "leaked: " + event);
        }
    }

    @Test
    void throughTheProxyTheTenantSeesTheAclsItSet() throws Exception {
        ZooKeeper acme = tenant("acme");
        acme.create("/open", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Stat stat = new Stat();
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, acme.getACL("/open", stat));
        assertEquals(0, stat.getAversion());
        acme.create("/readable", DATA, ZooDefs.Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertEquals(ZooDefs.Ids.READ_ACL_UNSAFE, acme.getACL("/readable", null));
        assertNoAuth("write a read-only znode", () -> acme.setData("/readable", new byte[0], -1));

        acme.setACL("/open", ZooDefs.Ids.READ_ACL_UNSAFE, 0);
        assertEquals(ZooDefs.Ids.READ_ACL_UNSAFE, acme.getACL("/open", stat));
        assertEquals(1, stat.getAversion(), "one setACL, one ACL version: the proxy adds none of its own");
        assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE)), acme.getACL("/", null),
                "the chroot looks like the root of a fresh ensemble");

        // what is stored upstream names the tenant and the platform, never world:anyone
        List<ACL> stored = platform.curator().getACL().forPath("/tenants/acme/readable");
        assertEquals(2, stored.size(), stored.toString());
        assertTrue(stored.stream().noneMatch(a -> a.getId().getScheme().equals("world")), stored.toString());
        assertEquals(Identities.tenantUser("acme"), stored.get(0).getId().getId().split(":")[0]);
        assertEquals(ZooDefs.Perms.READ, stored.get(0).getPerms());
    }

    @Test
    void authEntriesNameTheCreatorOnlyAsOnTheEnsembleItself() throws Exception {
        ZooKeeper acme = tenant("acme");
        assertEquals(KeeperException.Code.INVALIDACL, assertThrows(KeeperException.class, () -> acme.create(
                "/mine", DATA, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT)).code(),
                "no credentials of its own: nothing for an auth entry to name");
        acme.addAuthInfo("digest", "alice:pw".getBytes(StandardCharsets.UTF_8));
        acme.create("/mine", DATA, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        Id alice = new Id("digest", DigestAuthenticationProvider.generateDigest("alice:pw"));
        assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, alice)), acme.getACL("/mine", null));
        assertArrayEquals(DATA, acme.getData("/mine", false, null));

        ZooKeeper colleague = tenant("acme");
        assertNoAuth("another session of the tenant, without alice's credentials",
                () -> colleague.getData("/mine", false, null));
        colleague.addAuthInfo("digest", "alice:pw".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(DATA, colleague.getData("/mine", false, null));
        assertArrayEquals(DATA, platform.curator().getData().forPath("/tenants/acme/mine"),
                "the platform keeps access whatever the tenant sets");
    }

    @Test
    void whoAmIShowsTheTenantItsOwnIdentitiesOnly() throws Exception {
        ZooKeeper acme = tenant("acme");
        List<ClientInfo> before = acme.whoAmI();
        assertTrue(before.stream().noneMatch(c -> c.getAuthScheme().equals("digest")), before.toString());
        acme.addAuthInfo("digest", "alice:pw".getBytes(StandardCharsets.UTF_8));
        List<ClientInfo> after = acme.whoAmI();
        assertEquals(List.of("alice"), after.stream().filter(c -> c.getAuthScheme().equals("digest"))
                .map(ClientInfo::getUser).toList());
    }

    @Test
    void aListNamingTheProxysIdentitiesOrAnAddressOrCertificateIsRefused() throws Exception {
        ZooKeeper acme = tenant("acme");
        String platformId = TestSecret.identities(secret).platform().get(0).id();
        // lists the ZooKeeper client accepts (it asks them contains(null), which List.of refuses)
        List<List<ACL>> refused = List.of(
                Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("ip", "0.0.0.0/0"))),
                Arrays.asList(new ACL(ZooDefs.Perms.READ, new Id("x509", "CN=proxy"))),
                Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("digest", platformId))),
                Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("digest", Identities.tenantUser("acme") + ":x"))));
        for (List<ACL> acl : refused) {
            assertEquals(KeeperException.Code.INVALIDACL, assertThrows(KeeperException.class,
                    () -> acme.create("/n", DATA, acl, CreateMode.PERSISTENT), acl.toString()).code());
        }
        acme.create("/n", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertEquals(KeeperException.Code.INVALIDACL, assertThrows(KeeperException.class,
                () -> acme.setACL("/n", refused.get(2), -1)).code(), "setACL cannot name the platform either");
        List<org.apache.zookeeper.OpResult> results = assertThrows(KeeperException.class, () -> acme.multi(List.of(
                Op.create("/m1", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                Op.create("/m2", DATA, refused.get(0), CreateMode.PERSISTENT)))).getResults();
        assertEquals(KeeperException.Code.INVALIDACL.intValue(),
                ((org.apache.zookeeper.OpResult.ErrorResult) results.get(1)).getErr());
        assertEquals(null, acme.exists("/m1", false), "the multi failed whole");
    }

    @Test
    void aMarkerGrantTakenAwayIsGivenBackAtTheNextConnection() throws Exception {
        String markers = "/zk-tenant-proxy/sessions";
        ZooKeeper first = tenant("acme");
        first.exists("/", false); // a round trip behind the marker's create
        assertTrue(platform.curator().checkExists().forPath(markers + "/" + Long.toHexString(first.getSessionId()))
                != null, "the grant was made before the first session");
        // e.g. migrate-acls run for other tenants only: the marker root no longer lets acme in
        platform.curator().setACL().withACL(new UpstreamAcls(TestSecret.identities(secret)).platformOnly())
                .forPath(markers);
        ZooKeeper refused = tenant("acme");
        refused.exists("/", false); // a round trip: the marker's reply (NOAUTH) came before this one
        assertEquals(null, platform.curator().checkExists().forPath(markers + "/"
                + Long.toHexString(refused.getSessionId())));
        ZooKeeper next = tenant("acme");
        next.exists("/", false);
        assertTrue(platform.curator().checkExists().forPath(markers + "/" + Long.toHexString(next.getSessionId()))
                != null, "the next connection asked for the grant again");
    }

    @Test
    void theOperatorCommandsReadALockedTreeWithTheSecretFile() throws Exception {
        ZooKeeper acme = tenant("acme");
        acme.create("/job", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Cli.Run tree = Cli.run("tree", "--upstream", zk.getConnectString(), "--tenant", "acme",
                "--upstream-secret-file", secret.toString());
        assertEquals(0, tree.exit(), tree.err());
        assertTrue(tree.out().contains("job"), tree.out());
        Cli.Run du = Cli.run("du", "--upstream", zk.getConnectString(), "--upstream-secret-file", secret.toString());
        assertEquals(0, du.exit(), du.err());
        assertTrue(du.out().contains("/tenants/acme"), du.out());
        Cli.Run without = Cli.run("tree", "--upstream", zk.getConnectString(), "--tenant", "acme");
        assertTrue(without.exit() != 0 && without.err().contains("NOAUTH"), without.out() + without.err());
    }

    @Test
    void withoutASecretTheProxySaysOnceThatTheEnsembleIsOpen() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                ProxyServer.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        // an ensemble of its own: where a proxy with the secret ran, the platform's znodes are locked to it
        try (TestingServer other = track(Upstreams.server());
             ProxyServer open = ProxyServer.start(ProxyConfig.forUpstream(other.getConnectString()).withTenants(
                     TenantConfig.named("acme").withListen("127.0.0.1:0")))) {
            ZooKeeper client = track(ProxyHarness.connect(ProxyHarness.connectString(open, "acme"), (Watcher) null));
            client.create("/open", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            ZooKeeper outsider = track(ProxyHarness.connect(other.getConnectString(), (Watcher) null));
            assertArrayEquals(DATA, outsider.getData("/tenants/acme/open", false, null), "open, as warned");
        } finally {
            logger.detachAppender(appender);
        }
        assertEquals(1, appender.list.stream().filter(e -> e.getFormattedMessage().startsWith("no upstream secret"))
                .count(), appender.list.toString());
        assertTrue(appender.list.stream().noneMatch(e -> e.getFormattedMessage().contains("listening")
                && e.getFormattedMessage().contains("as tenant identities")));
    }

    @Test
    void aTenantThatClaimsAnotherTenantsUserNameGetsNothingOfIt() throws Exception {
        ZooKeeper globex = tenant("globex");
        globex.create("/secret", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        ZooKeeper acme = tenant("acme");
        byte[] claim = (Identities.tenantUser("globex") + ":a-guess").getBytes(StandardCharsets.UTF_8);
        acme.addAuthInfo("digest", claim);
        acme.create("/mine", DATA, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        assertEquals(KeeperException.Code.NONODE, assertThrows(KeeperException.class,
                () -> acme.getData("/tenants/globex/secret", false, null)).code(), "its own tree, always");
        ZooKeeper claiming = direct(null);
        claiming.addAuthInfo("digest", claim);
        assertNoAuth("the claimed name, directly", () -> claiming.getData("/tenants/globex/secret", false, null));
        assertNoAuth("the claimed name, directly", () -> claiming.getData("/tenants/globex", false, null));
        assertArrayEquals(DATA, globex.getData("/secret", false, null));
    }

    @Test
    void aTenantThatDropsEveryIdentityFromItsAclStillLeavesThePlatformIn() throws Exception {
        ZooKeeper acme = tenant("acme");
        acme.create("/n", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<ACL> bobOnly = Arrays.asList(new ACL(ZooDefs.Perms.ALL,
                new Id("digest", DigestAuthenticationProvider.generateDigest("bob:pw"))));
        acme.setACL("/n", bobOnly, -1);
        assertNoAuth("the tenant itself, not bob", () -> acme.getData("/n", false, null));
        assertArrayEquals(DATA, platform.curator().getData().forPath("/tenants/acme/n"));
        assertEquals(bobOnly, platform.curator().getACL().forPath("/tenants/acme/n").subList(0, 1));
    }

    @Test
    void anAuthSchemeTheEnsembleDoesNotKnowClosesThatClientOnly() throws Exception {
        ZooKeeper acme = tenant("acme");
        ZooKeeper other = tenant("acme");
        BlockingQueue<Watcher.Event.KeeperState> states = new LinkedBlockingQueue<>();
        acme.register(e -> states.add(e.getState()));
        acme.addAuthInfo("no-such-scheme", new byte[] {1, 2, 3});
        while (true) {
            Watcher.Event.KeeperState state = states.poll(30, TimeUnit.SECONDS);
            if (state == null) {
                fail("no AuthFailed event");
            }
            if (state == Watcher.Event.KeeperState.AuthFailed) {
                break;
            }
        }
        other.create("/still-here", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertArrayEquals(DATA, other.getData("/still-here", false, null));
    }

    @Test
    void aSessionResumedThroughAnotherReplicaKeepsItsIdentity() throws Exception {
        ProxyServer replica = track(startProxy(secret, "acme", "globex"));
        ZooKeeper first = tenant("acme");
        first.create("/before", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        long sessionId = first.getSessionId();
        byte[] password = first.getSessionPasswd();
        closing.remove(first);
        proxy.close(); // the client's connection drops; its session lives on upstream
        ZooKeeper resumed = track(ProxyHarness.resume(ProxyHarness.connectString(replica, "acme"), sessionId,
                password, new Events()));
        assertEquals(sessionId, resumed.getSessionId());
        resumed.setData("/before", new byte[] {9}, -1);
        resumed.create("/after", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, resumed.getACL("/after", null));
        assertNoAuth("direct", () -> direct(null).getData("/tenants/acme/after", false, null));
        first.close();
    }
}
