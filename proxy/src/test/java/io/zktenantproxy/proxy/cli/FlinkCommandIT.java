package io.zktenantproxy.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.admin.Closing;
import io.zktenantproxy.proxy.it.FlinkHaCluster;
import io.zktenantproxy.proxy.it.Upstreams;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code flink} against a real ZooKeeper: tenant {@code acme} runs a Flink 2.x cluster ({@link FlinkHaCluster}: a
 * real leader latch, leader information from a real {@code ObjectOutputStream}); tenant {@code beta} has one whose
 * leader information is garbage and one destroyed cluster's leftovers (orphaned).
 */
class FlinkCommandIT {
    private static final String OLD_JOB = "00000000000000000000000000000abc";
    private static TestingServer zk;
    private static CuratorFramework acme;
    private static CuratorFramework beta;
    private static FlinkHaCluster fraud;
    private static FlinkHaCluster broken;

    private static CuratorFramework tenant(String name) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .namespace("tenants/" + name).retryPolicy(new RetryOneTime(100)).ensembleTracker(false).build();
        client.start();
        return client;
    }

    @BeforeAll
    static void start() throws Exception {
        zk = Upstreams.server();
        acme = tenant("acme");
        beta = tenant("beta");
        fraud = FlinkHaCluster.create(acme, "/flink/fraud", 7);
        broken = FlinkHaCluster.create(beta, "/flink/broken", 3);
        broken.leaderInfoBytes("not java serialization".getBytes(StandardCharsets.UTF_8));
        beta.create().creatingParentsIfNeeded().forPath("/flink/old/jobs/" + OLD_JOB + "/checkpoints/"
                + String.format("%019d", 41), new byte[] {1});
        beta.create().creatingParentsIfNeeded().forPath("/flink/old/leader/latch");
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(fraud, broken, acme, beta, zk);
    }

    private static String session(CuratorFramework client) throws Exception {
        return "0x" + Long.toHexString(client.getZookeeperClient().getZooKeeper().getSessionId());
    }

    @Test
    void printsLeadersJobsAndCheckpointsOfOneTenant() throws Exception {
        Cli.Run run = Cli.run("flink", "--upstream", zk.getConnectString(), "--tenant", "acme");
        assertEquals(0, run.exit(), run.err() + run.out());
        List<String> lines = run.out().lines().toList();
        assertEquals("tenant acme (chroot /tenants/acme): 1 cluster, 0 orphaned", lines.get(0));
        assertEquals("  cluster /flink/fraud  layout FLINK_2_0  leader present: yes", lines.get(1));
        assertTrue(Pattern.matches(" +COMPONENT +ADDRESS +SESSION +SINCE +CONTENDERS", lines.get(2)), lines.get(2));
        String dispatcher = " +dispatcher +" + Pattern.quote(FlinkHaCluster.DISPATCHER) + " +" + FlinkHaCluster.SESSION
                + " +\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ +1";
        assertTrue(Pattern.matches(dispatcher, lines.get(3)), lines.get(3));
        assertTrue(Pattern.matches(" +JOB +CHECKPOINT +COUNTER +AGE +LOCKS", lines.get(4)), lines.get(4));
        String job = " +" + FlinkHaCluster.JOB + " +7 +8 +\\d+s +" + session(acme) + " \\(contender\\)";
        assertTrue(Pattern.matches(job, lines.get(5)), lines.get(5));
        assertEquals(6, lines.size(), run.out());
    }

    @Test
    void everyTenantUnderTheRootWithUnreadableLeaderInformationAndOrphans() throws Exception {
        Cli.Run run = Cli.run("flink", "--upstream", zk.getConnectString(), "--orphan-after-ms", "0");
        assertEquals(0, run.exit(), run.err() + run.out());
        String out = run.out();
        assertTrue(out.startsWith("tenant acme (chroot /tenants/acme): 1 cluster, 0 orphaned\n"), out);
        assertTrue(out.contains("\ntenant beta (chroot /tenants/beta): 2 clusters, 1 orphaned\n"), out);
        assertTrue(out.contains("\n  cluster /flink/broken  layout FLINK_2_0  leader present: yes\n"), out);
        assertTrue(Pattern.compile("\n +dispatcher +" + Pattern.quote("unreadable (magic: 0x6e6f (expected: 0xaced))")
                + " +- +\\d{4}-").matcher(out).find(), out);
        assertTrue(Pattern.compile("\n  cluster /flink/old  layout \\w+  leader present: no  ORPHANED \\(dormant "
                + "since \\d{4}-[^)]+\\)\n").matcher(out).find(), out);
        assertTrue(Pattern.compile("\n +" + OLD_JOB + " +41 +- +\\d+s +-\n").matcher(out).find(), out);
    }

    @Test
    void usageErrors() {
        Cli.Run noUpstream = Cli.run("flink", "--tenant", "acme");
        assertEquals(2, noUpstream.exit());
        assertEquals("error: --upstream is required (or a --config file with an upstream)\n", noUpstream.err());
        Cli.Run badRoot = Cli.run("flink", "--upstream", zk.getConnectString(), "--flink-root", "flink");
        assertEquals(2, badRoot.exit());
        assertEquals("error: --flink-root 'flink': not an absolute ZooKeeper path\n", badRoot.err());
    }
}
