package io.zktenantproxy.proxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.curator.RetryPolicy;
import org.apache.curator.RetrySleeper;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What ZooKeeper Java clients of older versions do when the proxy refuses a write over the tenant's znode quota with
 * {@code QUOTAEXCEEDED} (-125), a code the Java client knows only from 3.7.0 on: each version is loaded from its
 * own jars ({@code target/old-clients/<version>}, copied by the maven-dependency-plugin) in a class loader of its
 * own ({@link OldClient}) and connects through the proxy to a tenant whose quota is {@value #QUOTA_ZNODES} znodes.
 * Recorded and asserted per version: what the synchronous {@code create} throws, the {@code rc} the asynchronous
 * create's callback gets, what a synchronous and an asynchronous {@code multi} get, and that the session is still
 * usable on the same connection afterwards. {@code SECURITY.md} ("Clients that predate QUOTAEXCEEDED") has the
 * table.
 */
class OldClientQuotaIT {
    private static final long QUOTA_ZNODES = 2;
    private static final String CHROOT = "/tenants/acme";
    private static final byte[] DATA = "d".getBytes(StandardCharsets.UTF_8);

    private TestingServer server;
    private ProxyServer proxy;
    private ZooKeeper root;

    /**
     * What one client version does when refused.
     *
     * @param version    the client version, also the folder under {@code target/old-clients}
     * @param syncCreate what the synchronous create throws, as {@link #describe} puts it
     * @param asyncRc    the rc the asynchronous create's callback gets
     * @param multi      what the synchronous multi throws, as {@link #describe} puts it
     * @param multiAsync what the asynchronous multi's callback gets: {@code rc=N [results]}
     */
    record Expected(String version, String syncCreate, int asyncRc, String multi, String multiAsync) {
        @Override
        public String toString() {
            return version;
        }
    }

    private static final String NPE = "java.lang.NullPointerException at org.apache.zookeeper.KeeperException.create";
    private static final String IAE = "java.lang.IllegalArgumentException: The current client version cannot lookup "
            + "this code:-125 at org.apache.zookeeper.KeeperException$Code.get";
    private static final String QUOTA_EXCEEDED = "org.apache.zookeeper.KeeperException$QuotaExceededException: "
            + "KeeperErrorCode = Quota has exceeded";
    private static final String AT_CREATE = " at org.apache.zookeeper.KeeperException.create";
    /** The multi's results, as ZooKeeper itself answers a multi refused at its second op. */
    private static final String RESULTS = "[ErrorResult(0), ErrorResult(-125), ErrorResult(-2)]";

    /** As measured (JDK 17, ZooKeeper 3.9.5 behind the proxy). */
    static Stream<Expected> clients() {
        return Stream.of(
                new Expected("3.5.9", NPE, -125, NPE, "rc=-125 " + RESULTS),
                new Expected("3.5.10", IAE, -125, IAE, "rc=-125 " + RESULTS),
                new Expected("3.6.4", NPE, -125, NPE, "rc=-125 " + RESULTS),
                new Expected("3.7.0", QUOTA_EXCEEDED + " for /n2" + AT_CREATE, -125,
                        QUOTA_EXCEEDED + AT_CREATE + " " + RESULTS, "rc=-125 " + RESULTS),
                new Expected("3.7.1", QUOTA_EXCEEDED + " for /n2" + AT_CREATE, -125,
                        QUOTA_EXCEEDED + AT_CREATE + " " + RESULTS, "rc=-125 " + RESULTS),
                new Expected("3.7.2", QUOTA_EXCEEDED + " for /n2" + AT_CREATE, -125,
                        QUOTA_EXCEEDED + AT_CREATE + " " + RESULTS, "rc=-125 " + RESULTS));
    }

    @BeforeEach
    void start() throws Exception {
        server = Upstreams.server();
        proxy = ProxyServer.start(ProxyConfig.forUpstream(server.getConnectString()).withTenants(
                TenantConfig.named("acme").withListen("127.0.0.1:0").withQuotas(QUOTA_ZNODES, 0L, null)));
        root = ProxyHarness.connect(server.getConnectString(), (Watcher) null);
    }

    @AfterEach
    void stop() throws Exception {
        root.close();
        proxy.close();
        server.close();
    }

    @ParameterizedTest(name = "ZooKeeper client {0}")
    @MethodSource("clients")
    void refusedOverTheZnodeQuota(Expected expected) throws Throwable {
        Path jars = Path.of(System.getProperty("oldClients.dir", "target/old-clients"), expected.version());
        URLClassLoader loader = OldClient.loader(jars);
        String loaded = OldClient.version(loader);
        if (!loaded.startsWith(expected.version() + "-")) {
            loader.close();
            fail("the jars in " + jars + " are " + loaded);
        }
        try (OldClient client = OldClient.connect(loader, ProxyHarness.connectString(proxy, "acme"),
                ProxyHarness.SESSION_TIMEOUT_MS)) {
            long session = client.sessionId();

            // synchronous creates until one is refused: the quota's worth go through
            int created = 0;
            Throwable refused = null;
            while (refused == null && created <= QUOTA_ZNODES + 1) {
                try {
                    client.create("/n" + created, DATA);
                    created++;
                } catch (Throwable e) {
                    refused = e;
                }
            }
            assertEquals(QUOTA_ZNODES, created, "creates before the first refusal");
            String syncCreate = describe(refused);

            int asyncRc = client.createAsync("/async", DATA);

            // a multi refused at its second op (the check needs no quota)
            String multi;
            try {
                multi = "no exception: " + client.multi("/n0", "/m1", "/m2");
            } catch (Throwable e) {
                multi = describe(e) + multiResults(e);
            }
            String multiAsync = client.multiAsync("/n0", "/m1", "/m2");

            // the session goes on: a read after the refusals is answered on the same connection (had the client's
            // I/O thread failed on a refusal, the connection would be gone before this reply), and nothing was
            // reported but the first SyncConnected
            assertArrayEquals(DATA, client.getData("/n0"));
            assertEquals(0, client.getDataAsync("/n1"), "the event thread still delivers callbacks");
            // and writes again once there is room
            client.delete("/n1");
            assertEquals("/again", client.create("/again", DATA));
            assertEquals(session, client.sessionId());
            List<String> states = client.states();

            System.out.printf("| %s | %s | %d | %s | %s | %s |%n  (as thrown: %s)%n", expected.version(), syncCreate,
                    asyncRc, multi, multiAsync, states, refused);
            assertEquals(expected.syncCreate(), syncCreate, "synchronous create");
            assertEquals(expected.asyncRc(), asyncRc, "asynchronous create's rc");
            assertEquals(expected.multi(), multi, "synchronous multi");
            assertEquals(expected.multiAsync(), multiAsync, "asynchronous multi");
            assertEquals(List.of("SyncConnected"), states, "connection states");
        }
        // nothing refused reached the ensemble
        assertEquals(List.of("again", "n0"), sorted(root.getChildren(CHROOT, false)));
    }

    /** Control: the refusal is -125 on the wire, which the test class path's client (3.9) knows by name. */
    @Test
    void aCurrentClientGetsQuotaExceeded() throws Exception {
        try (TestClient zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), new Events())) {
            for (int i = 0; i < QUOTA_ZNODES; i++) {
                zk.create("/n" + i, DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            KeeperException e = assertThrows(KeeperException.QuotaExceededException.class,
                    () -> zk.create("/over", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
            assertEquals(-125, e.code().intValue());
        }
    }

    /**
     * Curator (the test class path's, 5.x) hands the refusal to the caller at once: its retry policy is asked whether
     * the exception is retryable, says no, and is never asked for a retry.
     */
    @Test
    void curatorDoesNotRetryQuotaExceeded() throws Exception {
        AtomicInteger retriesAsked = new AtomicInteger();
        List<String> exceptionsAsked = new ArrayList<>();
        RetryPolicy recording = new RetryPolicy() {
            @Override
            public boolean allowRetry(int retryCount, long elapsedTimeMs, RetrySleeper sleeper) {
                retriesAsked.incrementAndGet();
                return retryCount < 3;
            }

            @Override
            public boolean allowRetry(Throwable exception) {
                boolean allowed = RetryPolicy.super.allowRetry(exception);
                exceptionsAsked.add(exception.getClass().getSimpleName() + "=" + allowed);
                return allowed;
            }
        };
        try (CuratorFramework curator = CuratorFrameworkFactory.newClient(ProxyHarness.connectString(proxy, "acme"),
                ProxyHarness.SESSION_TIMEOUT_MS, ProxyHarness.SESSION_TIMEOUT_MS, recording)) {
            curator.start();
            for (int i = 0; i < QUOTA_ZNODES; i++) {
                curator.create().forPath("/n" + i, DATA);
            }
            assertThrows(KeeperException.QuotaExceededException.class, () -> curator.create().forPath("/over", DATA));
            assertEquals(List.of("QuotaExceededException=false"), exceptionsAsked);
            assertEquals(0, retriesAsked.get());
        }
    }

    /**
     * @return {@code class: message at Class.method} of the top frame, the message left out where the JVM wrote it
     *     (a helpful NullPointerException message, which depends on the JDK)
     */
    static String describe(Throwable e) {
        StackTraceElement top = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        String where = top == null ? "" : " at " + top.getClassName() + "." + top.getMethodName();
        String message = e instanceof NullPointerException || e.getMessage() == null ? "" : ": " + e.getMessage();
        return e.getClass().getName() + message + where;
    }

    /** @return {@code " [results]"} of a KeeperException thrown by multi ({@code getResults()}), else "" */
    private static String multiResults(Throwable e) throws Exception {
        if (!e.getClass().getName().startsWith("org.apache.zookeeper.KeeperException")) {
            return "";
        }
        return " " + OldClient.results((List<?>) e.getClass().getMethod("getResults").invoke(e));
    }

    private static List<String> sorted(List<String> list) {
        return new ArrayList<>(new TreeSet<>(list));
    }
}
