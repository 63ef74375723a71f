package io.zktenantproxy.proxy.flink;

import static io.zktenantproxy.proxy.flink.FlinkTrees.APP;
import static io.zktenantproxy.proxy.flink.FlinkTrees.JOB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.tree.TreeReader;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link FlinkHaScanner} against a real ZooKeeper: trees written as Flink 1.12, 1.14, 1.20 and 2.3 write them
 * ({@link FlinkTrees}) through a chrooted tenant client, read back through the operator's client; hostile trees; the
 * orphan decision with a scanner clock moved forward.
 */
class FlinkHaScannerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static TestingServer zk;
    private static OperatorClient operator;

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        operator = OperatorClient.start(zk.getConnectString(), List.of(), null);
        assertTrue(operator.awaitConnected(TIMEOUT));
    }

    @AfterAll
    static void stop() throws Exception {
        operator.close();
        zk.close();
    }

    private static CuratorFramework tenant(String name) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .namespace("tenants/" + name).retryPolicy(new RetryOneTime(100)).build();
        client.start();
        client.blockUntilConnected(10, TimeUnit.SECONDS);
        client.checkExists().forPath("/"); // Curator creates the namespace's znode on first use
        return client;
    }

    private static FlinkView scan(FlinkHaScanner scanner, String tenant, FlinkScanLimits limits) throws Exception {
        return scanner.scan(new TenantChroot("/tenants/" + tenant), limits).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static FlinkView scan(String tenant) throws Exception {
        return scan(new FlinkHaScanner(operator), tenant, FlinkScanLimits.defaults(10_000, TIMEOUT));
    }

    @Test
    void flink23() throws Exception {
        try (CuratorFramework t = tenant("v23")) {
            new FlinkTrees(t).shared("/flink/fraud", "execution-plans", true);
            FlinkView view = scan("v23");
            assertTrue(view.complete());
            assertEquals(1, view.clusters().size());
            FlinkCluster c = view.clusters().get(0);
            assertEquals("/flink/fraud", c.path());
            assertEquals("/flink", c.root());
            assertEquals("fraud", c.clusterId());
            assertEquals(HaLayout.FLINK_2_3, c.layout());
            assertTrue(c.leaderPresent());
            assertEquals(List.of("dispatcher", "resource_manager", "rest_server", "job_manager"),
                    c.leaders().stream().map(ComponentLeader::component).toList());
            ComponentLeader dispatcher = c.leaders().get(0);
            assertEquals("/flink/fraud/leader/dispatcher/connection_info", dispatcher.infoPath());
            assertEquals(LeaderInfo.known("pekko.tcp://flink@10.0.0.7:6123/user/rpc/dispatcher",
                    FlinkBytes.SESSION.toString()), dispatcher.info());
            Latch latch = dispatcher.latch();
            assertEquals("/flink/fraud/leader/latch", latch.path());
            assertEquals(1, latch.contenders());
            String session = "0x" + Long.toHexString(t.getZookeeperClient().getZooKeeper().getSessionId());
            assertEquals(session, latch.holderSession());
            assertEquals(session, dispatcher.infoSession());
            assertTrue(dispatcher.since() >= latch.holderCtime());
            assertEquals(JOB, c.leaders().get(3).jobId());

            FlinkJob job = c.jobs().get(0);
            assertEquals(JOB, job.jobId());
            assertEquals("/flink/fraud/execution-plans/" + JOB, job.plan().path());
            assertEquals(1, job.plan().locks().size());
            assertEquals(session, job.plan().locks().get(0).session());
            assertTrue(job.plan().locks().get(0).contender());
            assertEquals(7, job.newestCheckpoint().id());
            assertEquals("/flink/fraud/jobs/" + JOB + "/checkpoints/0000000000000000007",
                    job.newestCheckpoint().path());
            assertEquals(3, job.checkpoints());
            assertEquals(8L, job.counter());
            assertEquals(1, job.newestCheckpoint().locks().size());
            assertEquals(APP, c.applications().get(0).applicationId());
            assertEquals(1, c.sessions());
            assertNull(c.dormantSince());
            assertFalse(c.orphaned());
            assertEquals(List.of(), c.problems());
            String json = new ObjectMapper().writeValueAsString(view);
            assertTrue(json.contains("\"layout\":\"FLINK_2_3\""), json);
            assertFalse(json.contains("/tenants/"), json);
        }
    }

    @Test
    void flink120And20() throws Exception {
        try (CuratorFramework t = tenant("v120")) {
            FlinkTrees trees = new FlinkTrees(t);
            trees.shared("/flink/a", "jobgraphs", false);
            trees.shared("/flink/b", "execution-plans", false);
            FlinkView view = scan("v120");
            assertEquals(List.of(HaLayout.FLINK_1_15, HaLayout.FLINK_2_0),
                    view.clusters().stream().map(FlinkCluster::layout).toList());
            assertEquals("/flink/a/jobgraphs/" + JOB, view.clusters().get(0).jobs().get(0).plan().path());
        }
    }

    @Test
    void flink112And114() throws Exception {
        try (CuratorFramework t = tenant("v112")) {
            FlinkTrees trees = new FlinkTrees(t);
            trees.flink112("/flink/old");
            trees.flink114("/flink/mid");
            FlinkView view = scan("v112");
            FlinkCluster mid = view.clusters().get(0);
            FlinkCluster old = view.clusters().get(1);
            assertEquals(HaLayout.FLINK_1_12, old.layout());
            assertTrue(old.leaderPresent());
            assertEquals(List.of("dispatcher", "job_manager"), old.leaders().stream().map(ComponentLeader::component)
                    .toList());
            assertEquals("/flink/old/leader/dispatcher_lock", old.leaders().get(0).infoPath());
            assertEquals("/flink/old/leaderlatch/dispatcher_lock", old.leaders().get(0).latch().path());
            assertEquals(LeaderInfo.known("akka.tcp://jm", null), old.leaders().get(1).info());
            FlinkJob oldJob = old.jobs().get(0);
            assertEquals(12, oldJob.newestCheckpoint().id());
            assertEquals(1, oldJob.newestCheckpoint().locks().size());
            assertEquals(13L, oldJob.counter());
            assertEquals(1, oldJob.plan().locks().size());
            assertEquals(List.of(), old.raw());

            assertEquals(HaLayout.FLINK_1_14, mid.layout());
            assertEquals(List.of("dispatcher", "job_manager"), mid.leaders().stream().map(ComponentLeader::component)
                    .toList());
            assertEquals("/flink/mid/jobs/" + JOB + "/leader/latch", mid.leaders().get(1).latch().path());
            assertEquals(1, mid.leaders().get(1).latch().contenders());
            assertEquals(3, mid.jobs().get(0).newestCheckpoint().id());
            assertEquals(4L, mid.jobs().get(0).counter());
        }
    }

    @Test
    void otherRootsUnknownLayoutsAndNeighbours() throws Exception {
        try (CuratorFramework t = tenant("t1"); CuratorFramework neighbour = tenant("t12")) {
            new FlinkTrees(t).shared("/platform/prod", "execution-plans", false);
            t.create().creatingParentsIfNeeded().forPath("/flink/weird/leader", "x".getBytes());
            t.create().creatingParentsIfNeeded().forPath("/flink/weird/jobs/foo");
            t.create().creatingParentsIfNeeded().forPath("/app/config/x");
            new FlinkTrees(neighbour).shared("/flink/default", "execution-plans", false);

            FlinkView view = scan("t1");
            assertEquals(List.of("/flink/weird", "/platform/prod"), view.clusters().stream().map(FlinkCluster::path)
                    .toList());
            FlinkCluster weird = view.clusters().get(0);
            assertEquals(HaLayout.UNKNOWN, weird.layout());
            assertEquals(List.of("/flink/weird/jobs", "/flink/weird/jobs/foo", "/flink/weird/leader"), weird.raw());
            assertTrue(view.roots().contains("/platform"));

            FlinkScanLimits noDiscovery = new FlinkScanLimits(List.of("/flink"), false, 10_000, 10_000, TIMEOUT,
                    Duration.ofHours(1));
            FlinkView configured = scan(new FlinkHaScanner(operator), "t1", noDiscovery);
            assertEquals(List.of("/flink/weird"), configured.clusters().stream().map(FlinkCluster::path).toList());
        }
    }

    @Test
    void hostileTreesAreBoundedAndUnreadable() throws Exception {
        try (CuratorFramework t = tenant("hostile")) {
            FlinkTrees trees = new FlinkTrees(t);
            String c = "/flink/default";
            trees.lead(c + "/leader/latch");
            trees.ephemeral(c + "/leader/dispatcher/connection_info", "garbage, not Java serialization".getBytes());
            trees.ephemeral(c + "/leader/resource_manager/connection_info", new byte[900_000]);
            trees.ephemeral(c + "/leader/rest_server/connection_info", FlinkBytes.write(oos -> {
                oos.writeUTF("x");
                oos.writeObject(new FlinkBytes.Gadget());
            }));
            StringBuilder deep = new StringBuilder(c + "/leader/deep");
            for (int i = 0; i < 40; i++) {
                deep.append("/d");
            }
            t.create().creatingParentsIfNeeded().forPath(deep.toString());
            trees.persistent(c + "/jobs/" + JOB + "/checkpoint_id_counter", "not four bytes".getBytes());
            t.create().creatingParentsIfNeeded().forPath(c + "/jobs/" + JOB + "/checkpoints");
            List<CuratorOp> many = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                many.add(t.transactionOp().create().forPath(c + "/jobs/" + JOB + "/checkpoints/" + String.format(
                        "%019d", i)));
            }
            t.transaction().forOperations(many);

            FlinkScanLimits limits = new FlinkScanLimits(List.of("/flink"), true, 10_000, 100, TIMEOUT,
                    Duration.ofHours(1));
            FlinkView view = scan(new FlinkHaScanner(operator), "hostile", limits);
            assertTrue(view.complete());
            FlinkCluster cluster = view.clusters().get(0);
            ComponentLeader dispatcher = find(cluster, "dispatcher");
            assertEquals(LeaderInfo.Status.UNREADABLE, dispatcher.info().status());
            assertTrue(dispatcher.info().reason().startsWith("magic: "), dispatcher.info().reason());
            ComponentLeader rm = find(cluster, "resource_manager");
            assertNull(rm.info());
            assertEquals("data length: 900000 (expected: <= 65536)", rm.problem());
            assertTrue(find(cluster, "rest_server").info().reason().contains("Gadget"));
            assertFalse(FlinkBytes.Gadget.deserialized);
            FlinkJob job = cluster.jobs().get(0);
            assertNull(job.counter());
            assertTrue(job.counterProblem().contains("14 bytes"), job.counterProblem());
            assertNull(job.newestCheckpoint());
            assertTrue(cluster.problems().contains(c + "/jobs/" + JOB + "/checkpoints: children: 150 (expected: <= "
                    + "100)"), cluster.problems().toString());
            assertTrue(view.nodes() < 200, "nodes: " + view.nodes());

            FlinkScanLimits tiny = new FlinkScanLimits(List.of("/flink"), true, 12, 100, TIMEOUT,
                    Duration.ofHours(1));
            FlinkView partial = scan(new FlinkHaScanner(operator), "hostile", tiny);
            assertEquals("more than 12 znodes (limit 12)", partial.incomplete());
            partial.clusters().forEach(cl -> assertFalse(cl.orphaned()));
        }
    }

    @Test
    void orphansAfterTheThreshold() throws Exception {
        AtomicLong clock = new AtomicLong(System.currentTimeMillis());
        FlinkHaScanner watching = new FlinkHaScanner(new TreeReader(operator), clock::get);
        FlinkScanLimits limits = FlinkScanLimits.defaults(10_000, TIMEOUT);
        long start = clock.get();
        try (CuratorFramework jobManager = tenant("orphan")) {
            new FlinkTrees(jobManager).shared("/flink/gone", "execution-plans", false);
            FlinkCluster alive = scan(watching, "orphan", limits).clusters().get(0);
            assertTrue(alive.leaderPresent());
            assertFalse(alive.dormant());
        }
        // the JobManager's session is closed: its latch node, leader znodes and locks are gone
        clock.set(start + 60_000);
        FlinkCluster quiet = scan(watching, "orphan", limits).clusters().get(0);
        assertFalse(quiet.leaderPresent());
        assertEquals(0, quiet.sessions());
        assertEquals(start + 60_000, quiet.dormantSince(), "the scanner saw it go dormant now");
        assertFalse(quiet.orphaned());
        assertTrue(quiet.jobs().get(0).plan().locks().isEmpty());

        FlinkHaScanner fresh = new FlinkHaScanner(new TreeReader(operator), clock::get);
        FlinkCluster seenByFresh = scan(fresh, "orphan", limits).clusters().get(0);
        assertNotNull(seenByFresh.dormantSince());
        assertTrue(seenByFresh.dormantSince() <= System.currentTimeMillis(), "only the znodes' times bound it");

        clock.set(start + Duration.ofHours(2).toMillis());
        assertTrue(scan(watching, "orphan", limits).clusters().get(0).orphaned());
        assertTrue(scan(fresh, "orphan", limits).clusters().get(0).orphaned());

        try (CuratorFramework redeployed = tenant("orphan")) {
            new FlinkTrees(redeployed).lead("/flink/gone/leader/latch");
            FlinkCluster back = scan(watching, "orphan", limits).clusters().get(0);
            assertTrue(back.leaderPresent());
            assertFalse(back.orphaned());
            assertNull(back.dormantSince());
        }
    }

    private static ComponentLeader find(FlinkCluster cluster, String component) {
        return cluster.leaders().stream().filter(l -> l.component().equals(component)).findFirst().orElseThrow();
    }
}
