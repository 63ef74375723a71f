package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.recipes.cache.TreeCache;
import org.apache.curator.framework.recipes.cache.TreeCacheEvent;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.SharedCountListener;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Curator 5 recipes through the proxy, as Flink uses them, with Curator's ensemble tracker left on (its default).
 * The upstream is a 3-server ensemble, whose own {@code /zookeeper/config} lists its servers' client addresses, so a
 * tracker that saw it would move the client off the proxy. Two proxy instances of one tenant, each advertising both;
 * one Curator client on each, so every recipe also works across proxy instances.
 */
class CuratorRecipesIT {
    private static final String CHROOT = "/tenants/recipes";

    private static TestingCluster cluster;
    private static ProxyServer proxyA;
    private static ProxyServer proxyB;
    private static String addressA;
    private static String addressB;

    private CuratorFramework a;
    private CuratorFramework b;
    private ZooKeeper upstream;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = Upstreams.cluster(3);
        int portA = ProxyHarness.freePort();
        int portB = ProxyHarness.freePort();
        addressA = "127.0.0.1:" + portA;
        addressB = "127.0.0.1:" + portB;
        List<String> advertised = List.of(addressA, addressB);
        proxyA = ProxyHarness.proxyOnPort(cluster.getConnectString(), "recipes", portA, advertised);
        proxyB = ProxyHarness.proxyOnPort(cluster.getConnectString(), "recipes", portB, advertised);
    }

    @AfterAll
    static void stop() throws Exception {
        proxyA.close();
        proxyB.close();
        cluster.close();
    }

    @BeforeEach
    void connect() throws Exception {
        a = curator(addressA);
        b = curator(addressB);
        upstream = ProxyHarness.upstream(cluster.getConnectString());
    }

    @AfterEach
    void close() throws Exception {
        Collections.reverse(closeables);
        for (AutoCloseable c : closeables) {
            c.close();
        }
        a.close();
        b.close();
        upstream.close();
    }

    /** A started, connected Curator client with Curator's defaults (ensemble tracker on). */
    private static CuratorFramework curator(String connectString) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(ProxyHarness.SESSION_TIMEOUT_MS)
                .connectionTimeoutMs(15_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000))
                .build();
        client.start();
        assertTrue(client.blockUntilConnected(30, TimeUnit.SECONDS), "not connected through " + connectString);
        return client;
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ensembleTrackerLearnsTheProxiesNeverTheEnsemble() throws Exception {
        Set<String> proxies = Set.of(addressA, addressB);
        // a client given one proxy learns both from /zookeeper/config
        await().atMost(Events.DEADLINE).untilAsserted(() -> assertEquals(proxies,
                Set.of(a.getZookeeperClient().getCurrentConnectionString().split(","))));
        await().atMost(Events.DEADLINE).untilAsserted(() -> assertEquals(proxies,
                Set.of(b.getZookeeperClient().getCurrentConnectionString().split(","))));
        assertEquals(2, a.getCurrentConfig().getAllMembers().size());
        // and keeps working wherever it went
        a.create().forPath("/tracked", bytes("t"));
        assertEquals("t", new String(b.getData().forPath("/tracked"), StandardCharsets.UTF_8));

        // control: the same client straight to the ensemble takes the servers' own config
        try (CuratorFramework direct = curator(cluster.getConnectString())) {
            await().atMost(Events.DEADLINE).until(() -> direct.getCurrentConfig().getAllMembers().size() == 3);
            String tracked = direct.getZookeeperClient().getCurrentConnectionString();
            cluster.getInstances().forEach(i -> assertTrue(tracked.contains(":" + i.getPort()), tracked));
        }
    }

    @Test
    void leaderLatch() throws Exception {
        LeaderLatch latchA = closeLater(new LeaderLatch(a, "/flink/leader/latch", "a"));
        LeaderLatch latchB = closeLater(new LeaderLatch(b, "/flink/leader/latch", "b"));
        latchA.start();
        latchB.start();
        await().atMost(Events.DEADLINE).until(() -> latchA.hasLeadership() || latchB.hasLeadership());
        LeaderLatch leader = latchA.hasLeadership() ? latchA : latchB;
        LeaderLatch follower = leader == latchA ? latchB : latchA;
        assertFalse(follower.hasLeadership());
        assertEquals(leader.getId(), follower.getLeader().getId());
        assertEquals(2, upstreamChildren(CHROOT + "/flink/leader/latch").size());

        closeables.remove(leader);
        leader.close();
        assertTrue(follower.await(30, TimeUnit.SECONDS), "the follower did not take over");
        assertEquals(1, upstreamChildren(CHROOT + "/flink/leader/latch").size());
    }

    /** Children of a server path, read after a sync (the upstream client may be on another server). */
    private List<String> upstreamChildren(String path) throws Exception {
        upstream.sync(path);
        return upstream.getChildren(path, false);
    }

    @Test
    void leaderSelector() throws Exception {
        List<String> leaders = new CopyOnWriteArrayList<>();
        AtomicInteger leading = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<LeaderSelector> selectors = new ArrayList<>();
        for (CuratorFramework client : List.of(a, b)) {
            String id = client == a ? "a" : "b";
            LeaderSelector selector = closeLater(new LeaderSelector(client, "/selector",
                    new LeaderSelectorListenerAdapter() {
                        @Override
                        public void takeLeadership(CuratorFramework c) throws Exception {
                            mostAtOnce.accumulateAndGet(leading.incrementAndGet(), Math::max);
                            leaders.add(id);
                            // hold leadership for a round trip through the proxy before relinquishing it;
                            // autoRequeue then queues this participant again
                            c.checkExists().forPath("/selector");
                            leading.decrementAndGet();
                        }
                    }));
            selector.setId(id);
            selector.autoRequeue();
            selectors.add(selector);
        }
        selectors.forEach(LeaderSelector::start);
        await().atMost(Events.DEADLINE).until(() -> Collections.frequency(leaders, "a") >= 3
                && Collections.frequency(leaders, "b") >= 3);
        // one leader at a time, and both get turns. (Strict alternation is not promised: a participant that
        // relinquishes and requeues can take a new place in the queue before the other's requeue lands.)
        assertEquals(1, mostAtOnce.get(), leaders.toString());
    }

    @Test
    void interProcessMutex() throws Exception {
        InterProcessMutex mutexA = new InterProcessMutex(a, "/locks/job");
        InterProcessMutex mutexB = new InterProcessMutex(b, "/locks/job");
        mutexA.acquire();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch releaseB = new CountDownLatch(1);
            Future<Boolean> acquiredByB = executor.submit(() -> {
                mutexB.acquire();
                try {
                    releaseB.await();
                } finally {
                    mutexB.release();
                }
                return true;
            });
            // B queues behind A: two participants, A first, B not holding
            await().atMost(Events.DEADLINE).until(() -> mutexA.getParticipantNodes().size() == 2);
            assertTrue(mutexA.isAcquiredInThisProcess());
            assertFalse(acquiredByB.isDone());
            mutexA.release();
            await().atMost(Events.DEADLINE).until(() -> mutexB.isAcquiredInThisProcess());
            assertEquals(1, mutexA.getParticipantNodes().size());
            assertFalse(mutexA.acquire(0, TimeUnit.MILLISECONDS), "A got the lock B holds");
            releaseB.countDown();
            assertTrue(acquiredByB.get(30, TimeUnit.SECONDS));
            assertTrue(mutexA.acquire(30, TimeUnit.SECONDS));
            mutexA.release();
        } finally {
            executor.shutdownNow();
        }
        upstream.sync(CHROOT + "/locks/job");
        assertNotNull(upstream.exists(CHROOT + "/locks/job", false));
    }

    @Test
    @SuppressWarnings("deprecation") // TreeCache: deprecated for CuratorCache, still what Flink uses
    void treeCache() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        TreeCache cache = closeLater(TreeCache.newBuilder(b, "/tree").build());
        cache.getListenable().addListener((client, event) -> {
            if (event.getData() != null) {
                seen.add(event.getType() + " " + event.getData().getPath());
            } else if (event.getType() == TreeCacheEvent.Type.INITIALIZED) {
                seen.add("INITIALIZED");
            }
        });
        a.create().forPath("/tree", bytes("root"));
        a.create().forPath("/tree/x", bytes("1"));
        cache.start();
        await().atMost(Events.DEADLINE).until(() -> seen.contains("INITIALIZED"));
        assertEquals("1", text(cache.getCurrentData("/tree/x")));

        a.create().creatingParentsIfNeeded().forPath("/tree/y/z", bytes("deep"));
        a.setData().forPath("/tree/x", bytes("2"));
        await().atMost(Events.DEADLINE).until(() -> seen.contains("NODE_UPDATED /tree/x"));
        a.delete().forPath("/tree/x");
        await().atMost(Events.DEADLINE).until(() -> seen.contains("NODE_REMOVED /tree/x")
                && cache.getCurrentData("/tree/y/z") != null);
        assertEquals("deep", text(cache.getCurrentData("/tree/y/z")));
        assertTrue(seen.contains("NODE_ADDED /tree/y/z"), seen.toString());
        assertTrue(seen.contains("NODE_UPDATED /tree/x"), seen.toString());
        assertNull(cache.getCurrentData("/tree/x"));
        assertEquals(List.of("y"), List.copyOf(cache.getCurrentChildren("/tree").keySet()));
    }

    @Test
    void curatorCache() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CuratorCache cache = closeLater(CuratorCache.build(b, "/cc"));
        CompletableFuture<Void> initialized = new CompletableFuture<>();
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreates(d -> seen.add("created " + d.getPath()))
                .forChanges((before, after) -> seen.add("changed " + after.getPath() + " " + text(after)))
                .forDeletes(d -> seen.add("deleted " + d.getPath()))
                .forInitialized(() -> initialized.complete(null))
                .build());
        a.create().forPath("/cc", bytes("r"));
        cache.start();
        initialized.get(30, TimeUnit.SECONDS);
        a.create().forPath("/cc/one", bytes("1"));
        a.create().forPath("/cc/one/two", bytes("2"));
        // (a change is reported against what the cache read before: let it read the node first)
        await().atMost(Events.DEADLINE).until(() -> seen.contains("created /cc/one/two"));
        a.setData().forPath("/cc/one", bytes("1b"));
        await().atMost(Events.DEADLINE).until(() -> seen.contains("changed /cc/one 1b"));
        a.delete().forPath("/cc/one/two");
        await().atMost(Events.DEADLINE).until(() -> seen.contains("deleted /cc/one/two"));
        assertTrue(seen.containsAll(List.of("created /cc", "created /cc/one", "created /cc/one/two",
                "changed /cc/one 1b")), seen.toString());
        assertEquals("1b", text(cache.get("/cc/one").orElseThrow()));
        assertTrue(cache.get("/cc/one/two").isEmpty());
    }

    @Test
    void recursivePersistentWatcher() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        PersistentWatcher watcher = closeLater(new PersistentWatcher(b, "/pw", true));
        watcher.getListenable().addListener(event -> seen.add(event.getType() + " " + event.getPath()));
        CompletableFuture<Void> registered = new CompletableFuture<>();
        watcher.getResetListenable().addListener(() -> registered.complete(null));
        watcher.start();
        registered.get(30, TimeUnit.SECONDS);
        a.create().forPath("/pw", bytes("0"));
        a.create().forPath("/pw/a", new byte[0]);
        a.create().forPath("/pw/a/b", new byte[0]);
        a.setData().forPath("/pw/a/b", bytes("x"));
        a.create().forPath("/pwx", new byte[0]);
        a.delete().forPath("/pw/a/b");
        await().atMost(Events.DEADLINE).until(() -> seen.contains("NodeDeleted /pw/a/b"));
        assertEquals(List.of("NodeCreated /pw", "NodeCreated /pw/a", "NodeCreated /pw/a/b",
                "NodeDataChanged /pw/a/b", "NodeDeleted /pw/a/b"), seen);
    }

    @Test
    void sharedCount() throws Exception {
        SharedCount countA = closeLater(new SharedCount(a, "/jobs/j1/checkpoint_id_counter", 1));
        SharedCount countB = closeLater(new SharedCount(b, "/jobs/j1/checkpoint_id_counter", 1));
        List<Integer> seenByB = new CopyOnWriteArrayList<>();
        countB.addListener(new SharedCountListener() {
            @Override
            public void countHasChanged(org.apache.curator.framework.recipes.shared.SharedCountReader reader,
                                        int newCount) {
                seenByB.add(newCount);
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {
            }
        });
        countA.start();
        countB.start();
        assertEquals(1, countA.getCount());
        VersionedValue<Integer> v1 = countA.getVersionedValue();
        assertTrue(countA.trySetCount(v1, 2));
        assertFalse(countA.trySetCount(v1, 3), "a stale version must not win");
        await().atMost(Events.DEADLINE).until(() -> countB.getCount() == 2);
        assertTrue(seenByB.contains(2));
        countB.setCount(7);
        await().atMost(Events.DEADLINE).until(() -> countA.getCount() == 7);
        upstream.sync(CHROOT + "/jobs/j1/checkpoint_id_counter");
        assertEquals(7, ByteBuffer.wrap(upstream.getData(CHROOT + "/jobs/j1/checkpoint_id_counter", false, null))
                .getInt());
    }

    @Test
    void distributedAtomicLong() throws Exception {
        int perClient = 25;
        DistributedAtomicLong counterA = new DistributedAtomicLong(a, "/counters/dal", new RetryNTimes(100, 10));
        DistributedAtomicLong counterB = new DistributedAtomicLong(b, "/counters/dal", new RetryNTimes(100, 10));
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (DistributedAtomicLong counter : List.of(counterA, counterB)) {
                runs.add(executor.submit(() -> {
                    int succeeded = 0;
                    for (int i = 0; i < perClient; i++) {
                        AtomicValue<Long> result = counter.increment();
                        if (result.succeeded()) {
                            succeeded++;
                            assertEquals(result.preValue() + 1, (long) result.postValue());
                        }
                    }
                    return succeeded;
                }));
            }
            int succeeded = runs.get(0).get(60, TimeUnit.SECONDS) + runs.get(1).get(60, TimeUnit.SECONDS);
            assertEquals(2 * perClient, succeeded);
        } finally {
            executor.shutdownNow();
        }
        await().atMost(Events.DEADLINE).until(() -> counterA.get().postValue() == 2L * perClient);
        await().atMost(Events.DEADLINE).until(() -> counterB.get().postValue() == 2L * perClient);
        AtomicValue<Long> cas = counterB.compareAndSet(2L * perClient, 100L);
        assertTrue(cas.succeeded());
        assertFalse(counterA.compareAndSet(2L * perClient, 5L).succeeded());
        upstream.sync(CHROOT + "/counters/dal");
        assertNotNull(upstream.exists(CHROOT + "/counters/dal", false));
    }

    @Test
    void protectedEphemeralSequentialAndMultiOfThreeCreates() throws Exception {
        // Flink adds checkpoint and plan handles with a multi of three creates (node, locks, ephemeral lock)
        a.create().creatingParentContainersIfNeeded().forPath("/jobs/j2/checkpoints", new byte[0]);
        List<org.apache.curator.framework.api.transaction.CuratorTransactionResult> results = a.transaction()
                .forOperations(
                        a.transactionOp().create().forPath("/jobs/j2/checkpoints/0001", bytes("handle")),
                        a.transactionOp().create().forPath("/jobs/j2/checkpoints/0001/locks"),
                        a.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                                .forPath("/jobs/j2/checkpoints/0001/locks/" + "owner-a"));
        assertEquals(List.of("/jobs/j2/checkpoints/0001", "/jobs/j2/checkpoints/0001/locks",
                "/jobs/j2/checkpoints/0001/locks/owner-a"), results.stream().map(r -> r.getResultPath()).toList());
        String name = a.create().withProtection().withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath("/jobs/j2/latch-", new byte[0]);
        assertTrue(name.startsWith("/jobs/j2/_c_"), name);
        upstream.sync(CHROOT + name);
        assertEquals(a.getZookeeperClient().getZooKeeper().getSessionId(),
                upstream.exists(CHROOT + name, false).getEphemeralOwner());
    }

    private static String text(ChildData data) {
        return data == null || data.getData() == null ? null : new String(data.getData(), StandardCharsets.UTF_8);
    }
}
