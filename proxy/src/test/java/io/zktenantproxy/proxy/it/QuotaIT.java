package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.OperatorConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Quotas;
import org.apache.zookeeper.StatsTrack;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-tenant quotas on a real ensemble, through a real client: znodes of every kind, bytes (data, names, ACL lists),
 * multi, watches per session, a second tenant unaffected, delete then write again, and the count kept by ZooKeeper
 * itself. Runs twice in {@code mvn verify}: with the ensemble's own enforcement off (the default) and, in the
 * {@code quota-enforced} execution, on ({@code -Dzookeeper.enforceQuota=true}), where ZooKeeper holds the same hard
 * limits the proxy wrote.
 */
class QuotaIT {
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    private static final int KIB = 1024;
    private static final long ZNODES = 20;
    private static final long BYTES = 64 * KIB;
    private static final int WATCHES = 10;
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private TestingServer server;
    private ProxyServer proxy;
    private final List<ZooKeeper> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = Upstreams.server();
        proxy = ProxyServer.start(ProxyConfig.forUpstream(server.getConnectString())
                .withOperator(new OperatorConfig("zktp-ops", "ops-secret"))
                .withTenants(
                        TenantConfig.named("acme").withListen("127.0.0.1:0").withQuotas(ZNODES, 0L, 0),
                        TenantConfig.named("heavy").withListen("127.0.0.1:0").withQuotas(0L, BYTES, 0),
                        TenantConfig.named("watcher").withListen("127.0.0.1:0").withQuotas(null, null, WATCHES),
                        TenantConfig.named("other").withListen("127.0.0.1:0")));
    }

    @AfterEach
    void stop() throws Exception {
        for (ZooKeeper zk : clients) {
            zk.close();
        }
        proxy.close();
        server.close();
    }

    private ZooKeeper client(String tenant) throws Exception {
        ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, tenant), event -> {
        });
        clients.add(zk);
        return zk;
    }

    /** A client of the ensemble itself, not authenticated. */
    private ZooKeeper direct() throws Exception {
        ZooKeeper zk = ProxyHarness.connect(server.getConnectString(), event -> {
        });
        clients.add(zk);
        return zk;
    }

    /** A client of the ensemble itself, authenticated as the operator. */
    private ZooKeeper operator() throws Exception {
        ZooKeeper zk = direct();
        zk.addAuthInfo("digest", "zktp-ops:ops-secret".getBytes(StandardCharsets.UTF_8));
        return zk;
    }

    /** ZooKeeper's own count of the tenant's znodes (its stats include the chroot itself). */
    private long countedByZooKeeper(String chroot) throws Exception {
        ZooKeeper zk = operator();
        zk.sync(chroot);
        StatsTrack stats = new StatsTrack(zk.getData(Quotas.statPath(chroot), false, null));
        return stats.getCount() - 1;
    }

    private static void assertQuotaExceeded(KeeperException.Code code) {
        assertEquals(KeeperException.Code.QUOTAEXCEEDED, code);
    }

    @Test
    void createsUntilTheZnodeQuotaThenDeleteFreesRoom() throws Exception {
        ZooKeeper acme = client("acme");
        ZooKeeper other = client("other");
        for (int i = 0; i < ZNODES; i++) {
            acme.create("/n" + i, new byte[0], OPEN, CreateMode.PERSISTENT);
        }
        KeeperException refused = assertThrows(KeeperException.class,
                () -> acme.create("/n" + ZNODES, new byte[0], OPEN, CreateMode.PERSISTENT));
        assertQuotaExceeded(refused.code());
        assertEquals(ZNODES, countedByZooKeeper("/tenants/acme"));
        assertNotNull(acme.exists("/n0", false), "the session stays usable after a refusal");
        for (int i = 0; i < 2 * ZNODES; i++) {
            other.create("/n" + i, new byte[0], OPEN, CreateMode.PERSISTENT); // another tenant is not affected
        }
        acme.delete("/n0", -1);
        acme.create("/n" + ZNODES, new byte[0], OPEN, CreateMode.PERSISTENT);
        assertEquals(ZNODES, countedByZooKeeper("/tenants/acme"));
    }

    /**
     * A client whose every write is refused sends nothing the ensemble sees, and being busy it does not ping: the proxy
     * keeps its session alive, so it outlives several session timeouts of refusals.
     */
    @Test
    void aSessionRefusedWithoutPauseStaysAlive() throws Exception {
        List<Watcher.Event.KeeperState> states = new java.util.concurrent.CopyOnWriteArrayList<>();
        ZooKeeper acme = new ZooKeeper(ProxyHarness.connectString(proxy, "acme"), 4_000,
                event -> states.add(event.getState()));
        clients.add(acme);
        await().atMost(DEADLINE).until(() -> acme.getState() == ZooKeeper.States.CONNECTED);
        for (int i = 0; i < ZNODES; i++) {
            acme.create("/n" + i, new byte[0], OPEN, CreateMode.PERSISTENT);
        }
        long sessionId = acme.getSessionId();
        long until = System.nanoTime() + 3L * acme.getSessionTimeout() * 1_000_000;
        int refused = 0;
        while (System.nanoTime() < until) {
            KeeperException e = assertThrows(KeeperException.class,
                    () -> acme.create("/over", new byte[0], OPEN, CreateMode.PERSISTENT));
            assertQuotaExceeded(e.code());
            refused++;
        }
        assertNotNull(acme.exists("/n0", false));
        assertEquals(sessionId, acme.getSessionId());
        assertEquals(List.of(Watcher.Event.KeeperState.SyncConnected), states,
                "no disconnection and no expiry during " + refused + " refusals");
    }

    @Test
    void everyKindCountsAndEphemeralsAreFreedWithTheirSession() throws Exception {
        ZooKeeper acme = client("acme");
        ZooKeeper holder = client("acme");
        for (int i = 0; i < 4; i++) {
            acme.create("/p" + i, new byte[0], OPEN, CreateMode.PERSISTENT);
            acme.create("/s-", new byte[0], OPEN, CreateMode.PERSISTENT_SEQUENTIAL);
            acme.create("/c" + i, new byte[0], OPEN, CreateMode.CONTAINER);
            acme.create("/t" + i, new byte[0], OPEN, CreateMode.PERSISTENT_WITH_TTL, null, 600_000);
            holder.create("/e" + i, new byte[0], OPEN, CreateMode.EPHEMERAL);
        }
        assertEquals(ZNODES, countedByZooKeeper("/tenants/acme"));
        for (CreateMode mode : List.of(CreateMode.PERSISTENT, CreateMode.EPHEMERAL_SEQUENTIAL, CreateMode.CONTAINER)) {
            KeeperException refused = assertThrows(KeeperException.class,
                    () -> acme.create("/more", new byte[0], OPEN, mode));
            assertQuotaExceeded(refused.code());
        }
        KeeperException ttl = assertThrows(KeeperException.class, () -> acme.create("/more", new byte[0], OPEN,
                CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, null, 600_000));
        assertQuotaExceeded(ttl.code());

        holder.close(); // the ensemble deletes its four ephemerals; no request of the tenant says so
        await().atMost(DEADLINE).ignoreException(KeeperException.QuotaExceededException.class)
                .until(() -> acme.create("/after", new byte[0], OPEN, CreateMode.PERSISTENT) != null);
        assertEquals(ZNODES - 3, countedByZooKeeper("/tenants/acme"));
    }

    @Test
    void multiCrossingTheQuotaFailsWholeInZooKeepersShape() throws Exception {
        ZooKeeper acme = client("acme");
        for (int i = 0; i < ZNODES - 2; i++) {
            acme.create("/n" + i, new byte[0], OPEN, CreateMode.PERSISTENT);
        }
        KeeperException refused = assertThrows(KeeperException.class, () -> acme.multi(List.of(
                Op.create("/a", new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.setData("/n0", new byte[1], -1),
                Op.create("/b", new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.create("/c", new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.delete("/n1", -1))));
        assertQuotaExceeded(refused.code());
        List<Integer> errors = new ArrayList<>();
        for (OpResult result : refused.getResults()) {
            errors.add(((OpResult.ErrorResult) result).getErr());
        }
        assertEquals(List.of(0, 0, 0, KeeperException.Code.QUOTAEXCEEDED.intValue(),
                KeeperException.Code.RUNTIMEINCONSISTENCY.intValue()), errors);
        assertNull(acme.exists("/a", false));
        assertNotNull(acme.exists("/n1", false), "nothing of a failed multi is applied");
        acme.multi(List.of(Op.create("/a", new byte[0], OPEN, CreateMode.PERSISTENT),
                Op.create("/b", new byte[0], OPEN, CreateMode.PERSISTENT)));
        assertEquals(ZNODES, countedByZooKeeper("/tenants/acme"));
    }

    @Test
    void bytesCountDataNamesAndAclLists() throws Exception {
        ZooKeeper heavy = client("heavy");
        heavy.create("/big", new byte[10 * KIB], OPEN, CreateMode.PERSISTENT);
        heavy.setData("/big", new byte[40 * KIB], -1);
        KeeperException grown = assertThrows(KeeperException.class,
                () -> heavy.setData("/big", new byte[70 * KIB], -1));
        assertQuotaExceeded(grown.code());
        // near the limit a setData of the same size adds nothing, as ZooKeeper's own checkQuota sees it
        heavy.setData("/big", new byte[40 * KIB], -1);

        String longName = "/" + "x".repeat(600);
        KeeperException named = assertThrows(KeeperException.class,
                () -> heavy.create(longName, new byte[0], OPEN, CreateMode.PERSISTENT));
        assertQuotaExceeded(named.code());

        List<ACL> manyIds = new ArrayList<>(OPEN);
        for (int i = 0; i < 20; i++) {
            manyIds.add(new ACL(ZooDefs.Perms.READ, new Id("digest", "user" + i + ":" + "h".repeat(28))));
        }
        KeeperException acl = assertThrows(KeeperException.class,
                () -> heavy.create("/acl", new byte[0], manyIds, CreateMode.PERSISTENT));
        assertQuotaExceeded(acl.code());
        heavy.create("/acl", new byte[0], OPEN, CreateMode.PERSISTENT);
        KeeperException setAcl = assertThrows(KeeperException.class, () -> heavy.setACL("/acl", manyIds, -1));
        assertQuotaExceeded(setAcl.code());

        // 40 KiB + 2 znodes of 1 KiB charge: 22 KiB left
        heavy.create("/fill", new byte[20 * KIB], OPEN, CreateMode.PERSISTENT);
        KeeperException full = assertThrows(KeeperException.class,
                () -> heavy.create("/more", new byte[2 * KIB], OPEN, CreateMode.PERSISTENT));
        assertQuotaExceeded(full.code());
        heavy.delete("/fill", -1);
        heavy.create("/more", new byte[2 * KIB], OPEN, CreateMode.PERSISTENT);
    }

    @Test
    void watchesUpToTheLimitFreedWhenFiredOrRemoved() throws Exception {
        ZooKeeper watcher = client("watcher");
        ZooKeeper other = client("watcher");
        Watcher dataWatcher = event -> {
        };
        for (int i = 0; i < WATCHES; i++) {
            assertNull(watcher.exists("/w" + i, dataWatcher)); // an exist watch on a missing node holds a place
        }
        KeeperException over = assertThrows(KeeperException.class, () -> watcher.exists("/w" + WATCHES, dataWatcher));
        assertQuotaExceeded(over.code());
        assertNull(watcher.exists("/w" + WATCHES, false), "reads without a watch still go through");
        assertNotNull(other.exists("/", true), "another session of the tenant has its own watch quota");

        other.create("/w0", new byte[0], OPEN, CreateMode.PERSISTENT); // fires the one-shot watch on /w0
        await().atMost(DEADLINE).ignoreException(KeeperException.QuotaExceededException.class)
                .until(() -> watcher.exists("/w" + WATCHES, dataWatcher) == null);

        // removeAllWatches is the removal the server applies (opcode removeWatches); removing one watcher object
        // (removeWatches) only checks the server's watch (checkWatches) and leaves it registered there
        watcher.removeAllWatches("/w1", Watcher.WatcherType.Data, false);
        watcher.removeAllWatches("/w2", Watcher.WatcherType.Data, false);
        watcher.addWatch("/tree", dataWatcher, AddWatchMode.PERSISTENT); // a data and a child entry
        KeeperException full = assertThrows(KeeperException.class, () -> watcher.getChildren("/", dataWatcher));
        assertQuotaExceeded(full.code());
        watcher.removeAllWatches("/tree", Watcher.WatcherType.Persistent, false);
        assertNotNull(watcher.getChildren("/", dataWatcher));
    }

    /**
     * Two proxy instances, four writers on each, all pipelining sequential creates for one tenant until refused: the
     * quota holds across instances within the stated bound (SECURITY.md): near the limit each connection has
     * one write at a time decided on a count of its own time, so what one instance can add unseen by the other's
     * count is one write per connection for each count that completes meanwhile, here at most two.
     */
    @Test
    void twoInstancesKeepOneQuotaWithinTheBound() throws Exception {
        long quota = 200;
        int writersPerInstance = 4;
        List<ProxyServer> instances = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            instances.add(ProxyServer.start(ProxyConfig.forUpstream(server.getConnectString())
                    .withOperator(new OperatorConfig("zktp-ops", "ops-secret"))
                    .withTenants(TenantConfig.named("shared").withListen("127.0.0.1:0").withQuotas(quota, 0L, 0))));
        }
        List<ZooKeeper> writerClients = new ArrayList<>();
        try {
            List<Writer> writers = new ArrayList<>();
            for (ProxyServer instance : instances) {
                for (int w = 0; w < writersPerInstance; w++) {
                    ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(instance, "shared"), event -> {
                    });
                    writerClients.add(zk);
                    writers.add(new Writer(zk));
                }
            }
            writers.forEach(Writer::start);
            for (Writer writer : writers) {
                assertEquals(KeeperException.Code.QUOTAEXCEEDED, writer.finished(DEADLINE),
                        "every writer ends refused by the quota");
            }
            long counted = countedByZooKeeper("/tenants/shared");
            long overshoot = counted - quota;
            System.out.printf("two instances, %d writers: %d znodes for a quota of %d (overshoot %d)%n",
                    writers.size(), counted, quota, overshoot);
            assertTrue(counted >= quota, "no write was refused before the quota was reached: " + counted);
            assertTrue(overshoot <= 2L * writersPerInstance, "overshoot " + overshoot + " over the bound");
        } finally {
            for (ZooKeeper zk : writerClients) {
                zk.close(); // before their proxy goes, or each would wait for a closeSession reply
            }
            instances.forEach(ProxyServer::close);
        }
    }

    /** Pipelines sequential creates, up to 16 in flight, until the first error. */
    private static final class Writer {
        private final ZooKeeper zk;
        private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(16);
        private final java.util.concurrent.CompletableFuture<KeeperException.Code> firstError =
                new java.util.concurrent.CompletableFuture<>();
        private final Thread thread;

        Writer(ZooKeeper zk) {
            this.zk = zk;
            this.thread = new Thread(this::run, "writer");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            try {
                while (!firstError.isDone()) {
                    inFlight.acquire();
                    zk.create("/s-", new byte[0], OPEN, CreateMode.PERSISTENT_SEQUENTIAL, (rc, path, ctx, name) -> {
                        inFlight.release();
                        if (rc != 0) {
                            firstError.complete(KeeperException.Code.get(rc));
                        }
                    }, null);
                }
                inFlight.acquire(16); // every create answered
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        KeeperException.Code finished(Duration deadline) throws Exception {
            KeeperException.Code code = firstError.get(deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            thread.join(deadline.toMillis());
            return code;
        }
    }

    @Test
    void quotaZnodesAreTheOperatorsAlone() throws Exception {
        client("acme").create("/x", new byte[0], OPEN, CreateMode.PERSISTENT);
        ZooKeeper direct = direct();
        String limits = Quotas.limitPath("/tenants/acme");
        StatsTrack written = new StatsTrack(operator().getData(limits, false, null));
        assertEquals(ZNODES + 1, written.getCountHardLimit(), "ZooKeeper's hard limit counts the chroot itself");
        assertEquals(-1, written.getByteHardLimit());
        assertThrows(KeeperException.NoAuthException.class,
                () -> direct.setData(limits, "count=-1,bytes=-1".getBytes(StandardCharsets.UTF_8), -1));
        assertThrows(KeeperException.NoAuthException.class, () -> direct.delete(Quotas.statPath("/tenants/acme"), -1));
        assertThrows(KeeperException.NoAuthException.class,
                () -> direct.delete(Quotas.quotaPath("/tenants/acme"), -1));

        // what SECURITY.md tells operators to do about direct access: lock /zookeeper/quota itself
        ZooKeeper operator = operator();
        List<ACL> operatorOnly = new ArrayList<>(); // the client's ACL check calls contains(null): not List.of
        operatorOnly.add(new ACL(ZooDefs.Perms.ALL, new Id("digest",
                org.apache.zookeeper.server.auth.DigestAuthenticationProvider.generateDigest("zktp-ops:ops-secret"))));
        operator.setACL("/zookeeper/quota", operatorOnly, -1);
        assertThrows(KeeperException.NoAuthException.class,
                () -> direct.create("/zookeeper/quota/squat", new byte[0], OPEN, CreateMode.PERSISTENT));
        ZooKeeper fresh = client("other"); // a tenant not yet provisioned still gets its quota znodes
        fresh.create("/y", new byte[0], OPEN, CreateMode.PERSISTENT);
        assertEquals(1, countedByZooKeeper("/tenants/other"));
    }

    /** Quota znodes deleted behind the proxy's back are made again, and the count is right again. */
    @Test
    void quotaZnodesDeletedWhileRunningAreMadeAgain() throws Exception {
        ZooKeeper acme = client("acme");
        for (int i = 0; i < 3; i++) {
            acme.create("/n" + i, new byte[0], OPEN, CreateMode.PERSISTENT);
        }
        ZooKeeper operator = operator();
        operator.delete(Quotas.statPath("/tenants/acme"), -1);
        operator.delete(Quotas.limitPath("/tenants/acme"), -1);
        int[] next = {3};
        await().atMost(DEADLINE).until(() -> {
            acme.create("/n" + next[0]++, new byte[0], OPEN, CreateMode.PERSISTENT); // each write asks for a count
            return operator.exists(Quotas.statPath("/tenants/acme"), false) != null;
        });
        await().atMost(DEADLINE).until(() -> countedByZooKeeper("/tenants/acme") == next[0]);
        while (next[0] < ZNODES) {
            acme.create("/n" + next[0]++, new byte[0], OPEN, CreateMode.PERSISTENT);
        }
        KeeperException refused = assertThrows(KeeperException.class,
                () -> acme.create("/over", new byte[0], OPEN, CreateMode.PERSISTENT));
        assertQuotaExceeded(refused.code());
    }

    /**
     * The proxy's limits are the ensemble's hard limits: where the ensemble enforces quotas, a write that bypasses the
     * proxy is held to the same znode count; where it does not, only the proxy enforces them.
     */
    @Test
    void theEnsembleHoldsTheSameLimits() throws Exception {
        ZooKeeper acme = client("acme");
        for (int i = 0; i < ZNODES; i++) {
            acme.create("/n" + i, new byte[0], OPEN, CreateMode.PERSISTENT);
        }
        ZooKeeper operator = operator();
        if (org.apache.zookeeper.server.ZooKeeperServer.enforceQuota) {
            KeeperException refused = assertThrows(KeeperException.class,
                    () -> operator.create("/tenants/acme/direct", new byte[0], OPEN, CreateMode.PERSISTENT));
            assertQuotaExceeded(refused.code());
        } else {
            operator.create("/tenants/acme/direct", new byte[0], OPEN, CreateMode.PERSISTENT);
            assertEquals(ZNODES + 1, countedByZooKeeper("/tenants/acme"), "counted even when not enforced");
        }
    }
}
