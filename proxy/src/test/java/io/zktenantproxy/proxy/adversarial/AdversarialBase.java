package io.zktenantproxy.proxy.adversarial;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.proxy.config.Limits.Limit;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.TestSecret;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.ReconfigRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The stage of every adversarial test: a real ZooKeeper, one proxy with two tenants whose chroots are string prefixes
 * of each other ({@code t1} on {@value #ATTACKER_ROOT}, {@code t12} on {@value #VICTIM_ROOT}), a victim client on
 * {@code t12} holding data, an ephemeral and watches, and a well-behaved client on the attacker's own tenant.
 *
 * <p>Around every test: the ensemble's tree outside the attacker's chroot is snapshotted before and compared after
 * (paths, data, versions, mzxid); every byte any raw client received is scanned for {@code /tenants/} and for the
 * victim's data marker; the victim's session, ephemeral and watches must be untouched, and both tenants must still
 * be served. Subclasses only attack.
 *
 * <p>A subclass annotated {@link WithUpstreamSecret} gets a proxy with an upstream secret (tenant identities on the
 * ensemble, SECURITY.md), and {@link #direct} then authenticates as the platform identity derived from it: the one
 * identity every tenant znode's ACL grants, so the snapshots still see the whole tree.
 */
abstract class AdversarialBase {
    /** The suite's proxy reads a fresh upstream secret file ({@code upstream.secretFile}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface WithUpstreamSecret {
    }

    static final String ATTACKER = "t1";
    static final String VICTIM = "t12";
    static final String ATTACKER_ROOT = "/tenants/t1";
    static final String VICTIM_ROOT = "/tenants/t12";
    /** In every byte of the victim's data, so a leak of any of it shows in a scan. */
    static final String MARK = "VICTIM-SECRET";
    static final Duration WAIT = Duration.ofSeconds(30);
    /** The proxy's limits for the suite: a low in-flight bound so floods exercise backpressure. */
    static final int MAX_IN_FLIGHT = 32;

    static TestingServer zk;
    static ProxyServer proxy;
    /** The proxy's upstream secret file ({@link WithUpstreamSecret}), else null. */
    static Path secret;
    /**
     * A plain ZooKeeper client of the ensemble itself, outside any proxy; with an upstream secret, authenticated as
     * the platform.
     */
    static ZooKeeper direct;
    static ZooKeeper victim;
    /** A well-behaved client on the attacker's tenant. */
    static ZooKeeper neighbour;
    static final List<WatchedEvent> victimEvents = new CopyOnWriteArrayList<>();

    private final List<RawClient> clients = new ArrayList<>();
    private TreeMap<String, String> baseline;

    @BeforeAll
    static void startStage(TestInfo suite) throws Exception {
        victimEvents.clear(); // static: the previous class's final event is still here
        secret = suite.getTestClass().filter(c -> c.isAnnotationPresent(WithUpstreamSecret.class))
                .map(c -> TestSecret.file(1)).orElse(null);
        zk = Upstreams.server();
        proxy = startProxy(Limits.defaults().with(Limit.MAX_IN_FLIGHT, MAX_IN_FLIGHT));
        direct = connect(zk.getConnectString(), null);
        if (secret != null) {
            for (DigestCredential platform : TestSecret.identities(secret).platform()) {
                direct.addAuthInfo("digest", platform.authData());
            }
        }
        victim = connect(ProxyHarness.connectString(proxy, VICTIM), victimEvents::add);
        victim.setData("/", bytes(MARK + "-root"), -1);
        victim.create("/secret", bytes(MARK + "-secret"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        victim.create("/app", bytes(MARK + "-app"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        victim.create("/app/config", bytes(MARK + "-config"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        victim.create("/alive", bytes(MARK + "-alive"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        victim.getData("/secret", true, null);
        victim.getChildren("/app", true);
        victim.exists("/missing", true);
        neighbour = connect(ProxyHarness.connectString(proxy, ATTACKER), null);
        neighbour.create("/own", bytes("attacker-own"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
    }

    /** A ZooKeeper Java client, connected (30 s session timeout; waits for SyncConnected). */
    static ZooKeeper connect(String connectString, Watcher watcher) throws Exception {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        ZooKeeper zooKeeper = new ZooKeeper(connectString, 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.complete(null);
            }
            if (watcher != null) {
                watcher.process(event);
            }
        });
        try {
            connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            zooKeeper.close();
            throw e;
        }
        return zooKeeper;
    }

    /** A proxy on the suite's ensemble with both tenants on loopback ports (and the suite's secret, if any). */
    static ProxyServer startProxy(Limits limits) {
        ProxyConfig config = ProxyConfig.forUpstream(zk.getConnectString()).withLimits(limits).withTenants(
                TenantConfig.named(ATTACKER).withChroot(ATTACKER_ROOT).withListen("127.0.0.1:0"),
                TenantConfig.named(VICTIM).withChroot(VICTIM_ROOT).withListen("127.0.0.1:0"));
        return ProxyServer.start(secret == null ? config : config.withSecretFile(secret.toString()));
    }

    /** The victim's watches were never fired by an attack: fire one now and see it reach its owner. */
    @AfterAll
    static void stopStage() throws Exception {
        try {
            assertOnlyConnectedEvents();
            direct.setData(VICTIM_ROOT + "/secret", bytes(MARK + "-changed"), -1);
            await().atMost(WAIT).until(() -> victimEvents.stream().anyMatch(e ->
                    e.getType() == Watcher.Event.EventType.NodeDataChanged && "/secret".equals(e.getPath())));
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {neighbour, victim, direct, proxy, zk}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @BeforeEach
    void takeBaseline() throws Exception {
        baseline = UpstreamTree.snapshot(direct, ATTACKER_ROOT);
    }

    /** After a test's own legitimate changes outside the attacker's chroot (made directly on the ensemble). */
    void rebaseline() throws Exception {
        baseline = UpstreamTree.snapshot(direct, ATTACKER_ROOT);
    }

    /** Fails unless the ensemble outside the attacker's chroot is as it was at the baseline. */
    void assertUpstreamUnchanged() throws Exception {
        TreeMap<String, String> now = UpstreamTree.snapshot(direct, ATTACKER_ROOT);
        if (!now.equals(baseline)) {
            StringBuilder diff = new StringBuilder("the ensemble changed outside the attacker's chroot:\n");
            TreeSet<String> paths = new TreeSet<>(baseline.keySet());
            paths.addAll(now.keySet());
            for (String p : paths) {
                String a = baseline.get(p);
                String b = now.get(p);
                if (a == null || !a.equals(b)) {
                    diff.append("  ").append(p).append(": ").append(a).append(" -> ").append(b).append('\n');
                }
            }
            fail(diff.toString());
        }
    }

    @AfterEach
    void checkIsolation() throws Exception {
        for (RawClient c : clients) {
            c.closeSession();
            c.close();
        }
        assertUpstreamUnchanged();
        for (RawClient c : clients) {
            for (byte[] bytes : c.received()) {
                assertNoLeak(c.name(), bytes);
            }
        }
        assertBothTenantsServed();
    }

    static void assertNoLeak(String who, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("/tenants/"), who + " received a server path: " + printable(text));
        assertFalse(text.contains(MARK), who + " received the victim's data: " + printable(text));
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", ".");
    }

    /** The victim's session, data, ephemeral and watches are intact, and both tenants still answer. */
    static void assertBothTenantsServed() throws Exception {
        assertEquals(ZooKeeper.States.CONNECTED, victim.getState());
        assertArrayEquals(bytes(MARK + "-secret"), victim.getData("/secret", false, null));
        Stat alive = victim.exists("/alive", false);
        assertNotNull(alive, "the victim's ephemeral is gone");
        assertEquals(victim.getSessionId(), alive.getEphemeralOwner());
        assertOnlyConnectedEvents();
        String probe = neighbour.create("/probe-", bytes("p"), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL_SEQUENTIAL);
        assertArrayEquals(bytes("p"), neighbour.getData(probe, false, null));
        neighbour.delete(probe, -1);
        assertNotNull(direct.exists(ATTACKER_ROOT, false), "the attacker's chroot znode is gone");
        assertNotNull(direct.exists(VICTIM_ROOT, false), "the victim's chroot znode is gone");
    }

    /** The victim saw nothing but its connection being established: no watch fired, no disconnect. */
    static void assertOnlyConnectedEvents() {
        for (WatchedEvent e : victimEvents) {
            assertTrue(e.getType() == Watcher.Event.EventType.None
                    && e.getState() == Watcher.Event.KeeperState.SyncConnected, "victim saw " + e);
        }
    }

    /** A raw client on {@code tenant} of {@code server}, TCP connected only; closed and scanned after the test. */
    RawClient raw(ProxyServer server, String tenant) throws IOException {
        RawClient c = RawClient.open(tenant + "#" + clients.size(), server.address(tenant));
        clients.add(c);
        return c;
    }

    /** A raw client with its own new session on the attacker's tenant. */
    RawClient attacker() throws IOException {
        RawClient c = raw(proxy, ATTACKER);
        assertTrue(c.handshake().getTimeOut() > 0);
        return c;
    }

    /** Registers a client made elsewhere (another address) for closing and scanning. */
    RawClient track(RawClient c) {
        clients.add(c);
        return c;
    }

    /** {@code zktp_connections_closed_total{tenant, reason}} of {@code server}, 0 when never counted. */
    static double closedCount(ProxyServer server, String tenant, String reason) {
        for (String line : server.metrics().scrape().split("\n")) {
            if (line.startsWith("zktp_connections_closed_total{") && line.contains("reason=\"" + reason + "\"")
                    && line.contains("tenant=\"" + tenant + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** Snapshot of every close reason's count for {@code tenant}, to compare before and after an attack. */
    static Map<String, Double> closedCounts(ProxyServer server, String tenant) {
        Map<String, Double> out = new TreeMap<>();
        for (String line : server.metrics().scrape().split("\n")) {
            if (line.startsWith("zktp_connections_closed_total{") && line.contains("tenant=\"" + tenant + "\"")) {
                int at = line.indexOf("reason=\"") + 8;
                out.put(line.substring(at, line.indexOf('"', at)),
                        Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /** {@code c} is closed by {@code server}, and counted once more under {@code reason}. */
    static void assertClosed(RawClient c, ProxyServer server, String tenant, String reason, double before)
            throws IOException {
        assertTrue(c.awaitClosed(WAIT), c.name() + " was not closed (expected reason " + reason + ")");
        await().atMost(WAIT).untilAsserted(() -> assertEquals(before + 1, closedCount(server, tenant, reason),
                "closed connections with reason " + reason + ": " + closedCounts(server, tenant)));
    }

    /** A well-formed {@code reconfig}, which no tenant may send. */
    static byte[] reconfig(int xid) {
        return JuteFrames.request(xid, OpCode.RECONFIG.code(), new ReconfigRequest("", "", "", -1));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
