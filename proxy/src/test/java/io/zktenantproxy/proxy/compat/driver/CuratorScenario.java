package io.zktenantproxy.proxy.compat.driver;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Issue 15's scenario for a Curator client, driving the recipes Flink's ZooKeeper HA services drive: two
 * {@code LeaderLatch}es (leader election), a cache on the leader's address ({@code NodeCache} as Flink 1.12's leader
 * retrieval, {@code TreeCache} as Flink 1.15 to 2.x's, {@code CuratorCache} for plain Curator 5; {@link Steps#CACHE}), and two {@code SharedCount}s incremented by
 * compare-and-set (Flink's checkpoint id counter, {@code ZooKeeperCheckpointIDCounter}). Compiled against the test
 * class path's Curator 5.9; run in a class loader holding another Curator, plain or relocated inside Flink's
 * {@code flink-shaded-zookeeper-3} ({@code ClientLoader} rewrites the references), so it calls only what Curator 4.2
 * to 5.9 all have.
 *
 * <p>After a cut of both clients' connections by the proxy, both reconnect to their sessions (Curator's
 * {@code SUSPENDED} then {@code RECONNECTED}, never {@code LOST}), one latch leads again (Curator's standard error
 * policy gives the lead up at {@code SUSPENDED}, as Flink does by default), the cache sees a write made after the cut,
 * and the counter goes on; closing the leading latch hands the lead to the other.
 */
public final class CuratorScenario implements Consumer<Map<String, Object>> {
    private static final String BASE = "/flink/default";
    private static final String LATCH = BASE + "/leaderlatch";
    private static final String ADDRESS = BASE + "/leader/address";
    private static final String COUNTER = BASE + "/checkpoint-counter";
    private static final int INCREMENTS = 10;

    /** Runs the scenario with the harness's parameters ({@link Steps}); throws {@link AssertionError} at a failure. */
    @Override
    public void accept(Map<String, Object> params) {
        Steps.run(params, CuratorScenario::run);
    }

    private static void run(Steps s) throws Exception {
        CuratorFramework a = client(s);
        CuratorFramework b = client(s);
        BlockingQueue<String> statesA = states(a);
        BlockingQueue<String> statesB = states(b);
        LeaderLatch latchA = new LeaderLatch(a, LATCH, "a");
        LeaderLatch latchB = new LeaderLatch(b, LATCH, "b");
        BlockingQueue<String> leadership = Steps.queue();
        latchA.addListener(listener(leadership, "a"));
        latchB.addListener(listener(leadership, "b"));
        SharedCount countA = new SharedCount(a, COUNTER, 1);
        SharedCount countB = new SharedCount(b, COUNTER, 1);
        BlockingQueue<String> seen;
        try {
            a.start();
            b.start();
            Steps.check(a.blockUntilConnected((int) Steps.DEADLINE_MS, TimeUnit.MILLISECONDS), "client a connected");
            Steps.check(b.blockUntilConnected((int) Steps.DEADLINE_MS, TimeUnit.MILLISECONDS), "client b connected");
            long sessionA = a.getZookeeperClient().getZooKeeper().getSessionId();
            long sessionB = b.getZookeeperClient().getZooKeeper().getSessionId();
            s.ok("connect", "two sessions");

            latchA.start();
            Steps.check(latchA.await(Steps.DEADLINE_MS, TimeUnit.MILLISECONDS), "latch a leads");
            latchB.start();
            s.ok("leader-latch", "a leads");

            a.create().creatingParentsIfNeeded().forPath(ADDRESS, ZooKeeperScenario.bytes("akka://a"));
            seen = switch (s.cache()) {
                case "node" -> NodeCacheWatch.start(b, ADDRESS);
                case "tree" -> TreeCacheWatch.start(b, ADDRESS);
                case "curator" -> CuratorCacheWatch.start(b, ADDRESS);
                default -> throw new AssertionError("cache " + s.cache());
            };
            a.setData().forPath(ADDRESS, ZooKeeperScenario.bytes("akka://a/1"));
            Steps.await(seen, "akka://a/1");
            s.ok("cache", s.cache() + " cache saw the leader's address change");

            countA.start();
            countB.start();
            for (int i = 0; i < INCREMENTS; i++) {
                increment(countA);
                increment(countB);
            }
            Steps.checkEquals(1 + 2 * INCREMENTS, stored(a), "the shared count");
            s.ok("shared-count", 1 + 2 * INCREMENTS);

            s.cut();
            Steps.await(statesA, "SUSPENDED");
            Steps.await(statesA, "RECONNECTED");
            Steps.await(statesB, "RECONNECTED");
            Steps.checkEquals(sessionA, a.getZookeeperClient().getZooKeeper().getSessionId(), "a's session");
            Steps.checkEquals(sessionB, b.getZookeeperClient().getZooKeeper().getSessionId(), "b's session");
            awaitOneLeader(latchA, latchB, leadership);
            a.setData().forPath(ADDRESS, ZooKeeperScenario.bytes("akka://a/2"));
            Steps.await(seen, "akka://a/2");
            increment(countA);
            Steps.checkEquals(2 + 2 * INCREMENTS, stored(a), "the shared count after the cut");
            s.ok("cut-resume", "same sessions, one leader, cache and counter go on");

            LeaderLatch leader = latchA.hasLeadership() ? latchA : latchB;
            LeaderLatch other = leader == latchA ? latchB : latchA;
            leader.close();
            Steps.check(other.await(Steps.DEADLINE_MS, TimeUnit.MILLISECONDS), "the other latch takes over");
            s.ok("failover", other.getId() + " leads after " + leader.getId() + " closed");
        } finally {
            closeQuietly(countA);
            closeQuietly(countB);
            closeQuietly(latchA);
            closeQuietly(latchB);
            a.close();
            b.close();
        }
    }

    private static CuratorFramework client(Steps s) {
        return CuratorFrameworkFactory.builder()
                .connectString(s.connectString())
                .sessionTimeoutMs(30_000)
                .connectionTimeoutMs(15_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10))
                .build();
    }

    private static BlockingQueue<String> states(CuratorFramework client) {
        BlockingQueue<String> states = Steps.queue();
        client.getConnectionStateListenable().addListener((c, state) -> states.add(state.name()));
        return states;
    }

    /** Flink's {@code getAndIncrement}: read the versioned value, set it + 1 if nobody else did meanwhile. */
    private static void increment(SharedCount count) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Steps.DEADLINE_MS);
        while (System.nanoTime() < end) {
            VersionedValue<Integer> current = count.getVersionedValue();
            if (count.trySetCount(current, current.getValue() + 1)) {
                return;
            }
        }
        throw new AssertionError("no increment of the shared count succeeded within " + Steps.DEADLINE_MS + " ms");
    }

    /** @return the count as stored: {@code SharedCount} keeps it as a 4-byte big-endian int */
    private static int stored(CuratorFramework client) throws Exception {
        return ByteBuffer.wrap(client.getData().forPath(COUNTER)).getInt();
    }

    private static LeaderLatchListener listener(BlockingQueue<String> leadership, String id) {
        return new LeaderLatchListener() {
            @Override
            public void isLeader() {
                leadership.add(id + " leads");
            }

            @Override
            public void notLeader() {
                leadership.add(id + " not");
            }
        };
    }

    /** Waits, woken by every change of leadership either latch reports, until exactly one latch leads. */
    private static void awaitOneLeader(LeaderLatch a, LeaderLatch b, BlockingQueue<String> leadership)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Steps.DEADLINE_MS);
        while (a.hasLeadership() == b.hasLeadership()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not exactly one leader after the cut: a " + a.hasLeadership() + ", b "
                        + b.hasLeadership());
            }
            leadership.poll(100, TimeUnit.MILLISECONDS);
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (Exception | Error e) {
            // already closed, or its client is gone: nothing more to release
        }
    }
}
