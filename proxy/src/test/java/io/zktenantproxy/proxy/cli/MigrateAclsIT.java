package io.zktenantproxy.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.OperatorConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.TestSecret;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code migrate-acls} against a real ZooKeeper: a tree made through a proxy that had no upstream secret (plain
 * client and Curator recipes, an ephemeral and sequentials, the proxy's markers and quota znodes) is put under the
 * identities derived from one. Afterwards a client that goes around the proxy gets {@code NOAUTH}, a second run
 * changes nothing, and a proxy with the secret serves the tenant its tree with the ACLs it set.
 */
class MigrateAclsIT {
    private static final byte[] DATA = "leader-address".getBytes(StandardCharsets.UTF_8);
    private static final String CHROOT = "/tenants/acme";
    private static final String QUOTA = "/zookeeper/quota/tenants/acme";
    private static final ACL ALICE_READ = new ACL(ZooDefs.Perms.READ, new Id("digest", digest("alice:pw")));

    private TestingServer zk;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        zk = Upstreams.server();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        zk.close();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closing.add(closeable);
        return closeable;
    }

    private static String digest(String userPassword) {
        try {
            return DigestAuthenticationProvider.generateDigest(userPassword);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A proxy as before tenant identities (no secret), with the default quotas, so it makes quota znodes. */
    private ProxyServer proxy(Path secret, String... tenants) {
        List<TenantConfig> list = new ArrayList<>();
        for (String t : tenants) {
            list.add(TenantConfig.named(t).withListen("127.0.0.1:0"));
        }
        ProxyConfig config = ProxyConfig.forUpstream(zk.getConnectString()).withTenants(list);
        return track(ProxyServer.start(secret == null ? config : config.withSecretFile(secret.toString())));
    }

    private ZooKeeper client(String connectString) throws Exception {
        return track(ProxyHarness.connect(connectString, (Watcher) null));
    }

    private ZooKeeper direct(String digest) throws Exception {
        ZooKeeper client = client(zk.getConnectString());
        if (digest != null) {
            client.addAuthInfo("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        return client;
    }

    private Cli.Run migrate(Path secret, String... more) {
        List<String> args = new ArrayList<>(List.of("migrate-acls", "--upstream", zk.getConnectString(),
                "--upstream-secret-file", secret.toString(), "--timeout-ms", "60000"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    /** An ACL and the ACL version it was read at. */
    private record Versioned(List<ACL> acl, int aversion) {
    }

    /** Every znode under {@code root} (itself included) with its ACL, parents first, as {@code zk} may read them. */
    private static Map<String, Versioned> acls(ZooKeeper zk, String root) throws Exception {
        Map<String, Versioned> acls = new LinkedHashMap<>();
        collect(zk, root, acls);
        return acls;
    }

    private static void collect(ZooKeeper zk, String path, Map<String, Versioned> into) throws Exception {
        Stat stat = new Stat();
        List<String> children;
        try {
            List<ACL> acl = zk.getACL(path, stat);
            into.put(path, new Versioned(acl, stat.getAversion()));
            children = zk.getChildren(path, false).stream().sorted().toList();
        } catch (KeeperException.NoNodeException e) {
            return; // a session marker whose session (of a proxy closed earlier) expired meanwhile
        }
        for (String child : children) {
            collect(zk, (path.equals("/") ? "" : path) + "/" + child, into);
        }
    }

    /** The ACLs of every znode migrate-acls may touch for acme, and globex's tree, which it must not. */
    private static Map<String, Versioned> everything(ZooKeeper zk) throws Exception {
        Map<String, Versioned> all = new LinkedHashMap<>(acls(zk, "/tenants"));
        all.putAll(acls(zk, "/zk-tenant-proxy"));
        all.putAll(acls(zk, "/zookeeper/quota"));
        return all;
    }

    /** The clients that made a tree; closing them ends their sessions, so their ephemerals go at once. */
    private record Makers(ZooKeeper zooKeeper, CuratorFramework curator) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            curator.close();
            zooKeeper.close();
        }
    }

    /** A tree made through {@code proxy} (no secret): plain client, a lock held, a counter, an ephemeral. */
    private Makers buildTree(ProxyServer proxy) throws Exception {
        ZooKeeper acme = client(ProxyHarness.connectString(proxy, "acme"));
        acme.create("/app", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.create("/app/config", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.create("/app/seq-", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
        acme.create("/app/eph", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        // not List.of: ZooKeeper asks the list whether it contains null
        acme.create("/app/shared", DATA, new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL,
                ZooDefs.Ids.ANYONE_ID_UNSAFE), ALICE_READ)), CreateMode.PERSISTENT);
        CuratorFramework curator = track(CuratorFrameworkFactory.newClient(ProxyHarness.connectString(proxy, "acme"),
                30_000, 30_000, new RetryNTimes(3, 200)));
        curator.start();
        InterProcessMutex lock = new InterProcessMutex(curator, "/locks/job");
        assertTrue(lock.acquire(30, TimeUnit.SECONDS), "the lock (an ephemeral sequential) is held");
        DistributedAtomicLong counter = new DistributedAtomicLong(curator, "/counters/jobs", new RetryNTimes(3, 100));
        assertTrue(counter.increment().succeeded());
        return new Makers(acme, curator);
    }

    private static void assertNoAuth(String what, Call call) {
        KeeperException e = assertThrows(KeeperException.class, call::run, what);
        assertEquals(KeeperException.Code.NOAUTH, e.code(), what + ": " + e);
    }

    private interface Call {
        void run() throws Exception;
    }

    /** @return the summary line of {@code part} ("tenant acme", "platform"): visited, changed, unchanged, unreadable */
    private static int[] summary(Cli.Run run, String part) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(part) + ": (\\d+) znodes visited, (\\d+) (?:would "
                + "change|changed), (\\d+) unchanged, (\\d+) unreadable").matcher(run.out());
        assertTrue(m.find(), "no summary of " + part + " in:\n" + run.out());
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4))};
    }

    private static void assertNoSecretIn(Cli.Run run, Path secret) throws Exception {
        for (String line : Files.readAllLines(secret)) {
            assertFalse(run.out().contains(line) || run.err().contains(line), "the secret was printed");
        }
        Identities identities = TestSecret.identities(secret);
        for (DigestCredential c : concat(identities.tenant("acme"), identities.platform())) {
            assertFalse(run.out().contains(c.password()) || run.err().contains(c.password()), "a password was printed");
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aTreeMadeWithoutTheSecretIsClosedToDirectClientsAndServedByAProxyWithIt() throws Exception {
        ProxyServer before = proxy(null, "acme", "globex");
        Makers acme = buildTree(before);
        ZooKeeper globex = client(ProxyHarness.connectString(before, "globex"));
        globex.create("/untouched", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        ZooKeeper anonymous = direct(null);
        assertNotNull(anonymous.exists(QUOTA + "/zookeeper_stats", false), "the proxy made the quota znodes");
        Map<String, Versioned> original = everything(anonymous);
        List<String> tenantZnodes = original.keySet().stream().filter(p -> p.equals(CHROOT) || p.startsWith(CHROOT + "/"))
                .toList();
        assertTrue(tenantZnodes.size() >= 10, tenantZnodes.toString());
        String marker = original.keySet().stream().filter(p -> p.startsWith("/zk-tenant-proxy/sessions/"))
                .findFirst().orElseThrow();

        Path secret = TestSecret.file(1);
        Cli.Run dry = migrate(secret, "--tenant", "acme", "--dry-run");
        assertEquals(0, dry.exit(), dry.out() + dry.err());
        assertEquals(tenantZnodes.size() + 3, summary(dry, "tenant acme")[0], "the tree and 3 quota znodes");
        assertEquals(summary(dry, "tenant acme")[0], summary(dry, "tenant acme")[1], dry.out());
        assertTrue(dry.out().contains("\n  " + CHROOT + "/app: [world:anyone cdrwa] -> [digest:zktp-tenant-acme:"),
                dry.out());
        assertTrue(dry.out().contains("\n  /tenants: [world:anyone cdrwa] -> [digest:zktp-proxy:"), dry.out());
        assertNoSecretIn(dry, secret);
        assertEquals(original, everything(anonymous), "a dry run writes nothing");

        Cli.Run run = migrate(secret, "--tenant", "acme");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertEquals(summary(dry, "tenant acme")[1], summary(run, "tenant acme")[1], "as the dry run said");
        assertEquals(summary(dry, "platform")[1], summary(run, "platform")[1]);
        assertFalse(run.out().contains(" -> "), "a real run lists no paths: " + run.out());
        assertNoSecretIn(run, secret);

        for (ZooKeeper outsider : List.of(anonymous, direct(Identities.tenantUser("acme") + ":a-guessed-password"))) {
            for (String path : tenantZnodes) {
                assertNoAuth("getData " + path, () -> outsider.getData(path, false, null));
                assertNoAuth("getChildren " + path, () -> outsider.getChildren(path, false));
                assertNoAuth("setData " + path, () -> outsider.setData(path, new byte[] {1}, -1));
                assertNoAuth("create under " + path, () -> outsider.create(path + "/intruder", new byte[0],
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            }
            assertNoAuth("list the tenants", () -> outsider.getChildren("/tenants", false));
            assertNoAuth("list the session markers", () -> outsider.getChildren("/zk-tenant-proxy/sessions", false));
            assertNoAuth("read a marker", () -> outsider.getData(marker, false, null));
            assertNoAuth("read the quota count", () -> outsider.getData(QUOTA + "/zookeeper_stats", false, null));
            assertNoAuth("remove the quota limits", () -> outsider.delete(QUOTA + "/zookeeper_limits", -1));
        }
        Stat quotaStat = new Stat();
        assertEquals(original.get("/zookeeper/quota"), new Versioned(anonymous.getACL("/zookeeper/quota", quotaStat),
                quotaStat.getAversion()), "/zookeeper/quota itself is ZooKeeper's");
        Map<String, Versioned> globexNow = acls(anonymous, "/tenants/globex");
        globexNow.forEach((path, acl) -> assertEquals(original.get(path), acl, "another tenant's " + path));
        assertNotNull(globexNow.get("/tenants/globex/untouched"));

        Cli.Run again = migrate(secret, "--tenant", "acme");
        assertEquals(0, again.exit(), again.out() + again.err());
        assertEquals(0, summary(again, "tenant acme")[1], again.out());
        assertEquals(0, summary(again, "platform")[1], again.out());
        assertEquals(summary(run, "tenant acme")[0], summary(again, "tenant acme")[2]);

        // roll the replica: the old proxy and its clients go (the ephemeral and the lock with their sessions)
        acme.close();
        globex.close();
        before.close();
        ProxyServer after = proxy(secret, "acme");
        ZooKeeper served = client(ProxyHarness.connectString(after, "acme"));
        assertArrayEquals(DATA, served.getData("/app/config", false, null));
        served.setData("/app/config", new byte[] {7}, -1);
        assertArrayEquals(new byte[] {7}, served.getData("/app/config", false, null));
        served.create("/app/new", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        List<String> children = new ArrayList<>(original.keySet().stream().filter(p -> p.startsWith(CHROOT + "/app/"))
                .map(p -> p.substring((CHROOT + "/app/").length())).filter(c -> !c.equals("eph")).toList());
        children.add("new");
        assertEquals(children.stream().sorted().toList(), served.getChildren("/app", false).stream().sorted().toList());
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, served.getACL("/app", null), "the tenant sees what it set");
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, served.getACL("/", null));
        assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE), ALICE_READ),
                served.getACL("/app/shared", null));
        assertNotNull(served.exists("/counters/jobs", false));
        assertNotNull(anonymous.getChildren("/zookeeper/quota", false), "still ZooKeeper's, open");
        try (OperatorClient platform = TestSecret.platformClient(zk.getConnectString(), secret)) {
            String newMarker = "/zk-tenant-proxy/sessions/" + Long.toHexString(served.getSessionId());
            assertArrayEquals("acme".getBytes(StandardCharsets.UTF_8), platform.curator().getData().forPath(newMarker),
                    "the new session made its marker under the migrated root");
        }
    }

    /** @return every digest id in the ACLs of {@code paths} */
    private static Map<String, List<String>> ids(Map<String, Versioned> acls) {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        acls.forEach((path, v) -> ids.put(path, v.acl().stream().map(a -> a.getId().getId()).toList()));
        return ids;
    }

    @Test
    void aRotationNamesBothIdentitiesThenTheNewOneAlone() throws Exception {
        ProxyServer before = proxy(null, "acme");
        Makers makers = buildTree(before);
        String s1 = TestSecret.random();
        String s2 = TestSecret.random();
        Path first = TestSecret.file(s1);
        assertEquals(0, migrate(first, "--tenant", "acme").exit());
        makers.close();
        before.close();
        Identities old = TestSecret.identities(first);
        Path current = TestSecret.file(s2);
        Identities next = TestSecret.identities(current);

        // 1. the new secret first, the old one second, rolled replica by replica: a new znode names both
        // identities, so a replica not yet rolled still reads it
        Path rolling = TestSecret.file(s2, s1);
        ProxyServer rolled = proxy(rolling, "acme");
        ProxyServer notYetRolled = proxy(first, "acme");
        ZooKeeper viaRolled = client(ProxyHarness.connectString(rolled, "acme"));
        viaRolled.create("/app/during-roll", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        ZooKeeper viaOld = client(ProxyHarness.connectString(notYetRolled, "acme"));
        assertArrayEquals(DATA, viaOld.getData("/app/during-roll", false, null));
        assertArrayEquals(DATA, viaOld.getData("/app/config", false, null));

        // 2. migrate with both: every znode names both identities
        Cli.Run during = migrate(rolling, "--tenant", "acme");
        assertEquals(0, during.exit(), during.out() + during.err());
        assertTrue(summary(during, "tenant acme")[1] > 0, during.out());
        assertNoSecretIn(during, rolling);
        try (OperatorClient platform = TestSecret.platformClient(zk.getConnectString(), rolling)) {
            ZooKeeper zooKeeper = platform.curator().getZookeeperClient().getZooKeeper();
            Map<String, Versioned> all = new LinkedHashMap<>(acls(zooKeeper, CHROOT));
            all.putAll(acls(zooKeeper, "/zk-tenant-proxy"));
            ids(all).forEach((path, ids) -> assertTrue(ids.contains(old.platform().get(0).id())
                    && ids.contains(next.platform().get(0).id()), path + " names both platform identities: " + ids));
            ids(acls(zooKeeper, CHROOT)).forEach((path, ids) -> assertTrue(ids.contains(old.tenant("acme").get(0).id())
                    && ids.contains(next.tenant("acme").get(0).id()), path + " names both identities: " + ids));
            String oldMarker = "/zk-tenant-proxy/sessions/" + Long.toHexString(viaOld.getSessionId());
            assertEquals(List.of(next.platform().get(0).id(), old.platform().get(0).id()), ids(all).get(oldMarker),
                    "the marker of the replica not yet rolled named the old platform alone; now both");
        }

        viaOld.close();
        notYetRolled.close();

        // 3. the old line removed, rolled again; 4. migrate: the old identities' entries go
        viaRolled.close();
        rolled.close();
        ProxyServer replica = proxy(current, "acme");
        Cli.Run after = migrate(current, "--tenant", "acme");
        assertEquals(0, after.exit(), after.out() + after.err());
        try (OperatorClient platform = TestSecret.platformClient(zk.getConnectString(), current)) {
            ZooKeeper zooKeeper = platform.curator().getZookeeperClient().getZooKeeper();
            Map<String, Versioned> all = new LinkedHashMap<>(acls(zooKeeper, CHROOT));
            all.putAll(acls(zooKeeper, "/zk-tenant-proxy"));
            all.putAll(acls(zooKeeper, QUOTA));
            all.putAll(acls(zooKeeper, "/tenants"));
            ids(all).forEach((path, ids) -> {
                assertFalse(ids.contains(old.tenant("acme").get(0).id()) || ids.contains(old.platform().get(0).id()),
                        path + " still names the old secret's identities: " + ids);
                assertTrue(ids.contains(next.platform().get(0).id()), path + ": " + ids);
            });
        }
        assertEquals(0, summary(migrate(current, "--tenant", "acme"), "tenant acme")[1], "settled");
        ZooKeeper served = client(ProxyHarness.connectString(replica, "acme"));
        assertArrayEquals(DATA, served.getData("/app/config", false, null));
        assertArrayEquals(DATA, served.getData("/app/during-roll", false, null));
        served.create("/app/after-rotation", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, served.getACL("/app/config", null));
        assertNoAuth("the old tenant identity", () -> direct(old.tenant("acme").get(0).user() + ":"
                + old.tenant("acme").get(0).password()).getData(CHROOT + "/app/config", false, null));
    }

    @Test
    void znodesThePlatformCannotAdministerAreReportedAndFailTheRun() throws Exception {
        ProxyServer before = proxy(null, "acme");
        ZooKeeper acme = client(ProxyHarness.connectString(before, "acme"));
        acme.create("/open", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.create("/read-only", DATA, ZooDefs.Ids.READ_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.addAuthInfo("digest", "alice:pw".getBytes(StandardCharsets.UTF_8));
        acme.create("/alices", DATA, ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
        Path secret = TestSecret.file(1);

        Cli.Run dry = migrate(secret, "--tenant", "acme", "--dry-run");
        assertEquals(1, dry.exit(), dry.out() + dry.err());
        Cli.Run run = migrate(secret, "--tenant", "acme");
        assertEquals(1, run.exit(), run.out() + run.err());
        assertEquals(2, summary(run, "tenant acme")[3], run.out());
        assertTrue(run.out().contains("\n  unreadable: " + CHROOT + "/alices: cannot read its ACL"), run.out());
        assertTrue(run.out().contains("\n  unreadable: " + CHROOT + "/read-only: cannot administer it"), run.out());
        assertTrue(run.err().contains("error: 2 znodes could not be migrated"), run.err());
        assertTrue(run.err().contains("super user (zookeeper.DigestAuthenticationProvider.superDigest"), run.err());
        assertNoAuth("the rest was migrated", () -> direct(null).getData(CHROOT + "/open", false, null));

        Cli.Run ghost = migrate(secret, "--tenant", "ghost");
        assertEquals(0, ghost.exit(), ghost.out() + ghost.err());
        assertTrue(ghost.out().contains("\ntenant ghost: 0 znodes visited, 0 changed, 0 unchanged, 0 unreadable (no "
                + "chroot yet: nothing to migrate)\n"), ghost.out());
    }

    @Test
    void aConfigurationWithAnOperatorMigratesEveryTenantUnderTheOperator() throws Exception {
        OperatorConfig ops = new OperatorConfig("zktp-ops", "ops-password");
        ProxyConfig config = ProxyConfig.forUpstream(zk.getConnectString()).withOperator(ops).withTenants(List.of(
                TenantConfig.named("acme").withListen("127.0.0.1:0"),
                TenantConfig.named("globex").withListen("127.0.0.1:0")));
        ProxyServer before = track(ProxyServer.start(config));
        ZooKeeper acme = client(ProxyHarness.connectString(before, "acme"));
        acme.create("/a", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        ZooKeeper globex = client(ProxyHarness.connectString(before, "globex"));
        globex.create("/g", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        acme.close();
        globex.close();
        before.close();

        Path secret = TestSecret.file(1);
        Path yaml = Files.createTempFile("zktp-migrate", ".yaml");
        Files.writeString(yaml, "upstream: {connect: \"" + zk.getConnectString() + "\", secretFile: " + secret + "}\n"
                + "operator: {user: zktp-ops, password: ops-password}\n"
                + "tenants:\n  - {name: acme, listen: 127.0.0.1:0}\n  - {name: globex, listen: 127.0.0.1:0}\n");
        Cli.Run run = Cli.run("migrate-acls", "--config", yaml.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(summary(run, "tenant globex")[1] > 0, run.out());
        assertFalse(run.out().contains("ops-password"));
        ACL operator = new ACL(ZooDefs.Perms.ALL, new Id("digest", digest("zktp-ops:ops-password")));
        Identities identities = TestSecret.identities(secret);
        try (OperatorClient platform = OperatorClient.start(zk.getConnectString(),
                List.of(new DigestCredential("zktp-ops", "ops-password")), null)) {
            assertTrue(platform.awaitConnected(java.time.Duration.ofSeconds(30)));
            List<ACL> a = platform.curator().getACL().forPath("/tenants/acme/a");
            assertEquals(List.of(new ACL(ZooDefs.Perms.ALL, new Id("digest", identities.tenant("acme").get(0).id())),
                    operator), a, "the operator is the platform, once, at the end");
            assertEquals(List.of(operator), platform.curator().getACL().forPath("/tenants"));
        }
        assertEquals(0, summary(Cli.run("migrate-acls", "--config", yaml.toString()), "platform")[1]);
        ProxyServer after = track(ProxyServer.start(config.withSecretFile(secret.toString())));
        for (String tenant : List.of("acme", "globex")) {
            ZooKeeper served = client(ProxyHarness.connectString(after, tenant));
            String path = tenant.equals("acme") ? "/a" : "/g";
            assertArrayEquals(DATA, served.getData(path, false, null));
            assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, served.getACL(path, null));
            served.create(path + "/child", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            assertNoAuth("direct " + path, () -> direct(null).getData("/tenants/" + tenant + path, false, null));
        }
    }
}
