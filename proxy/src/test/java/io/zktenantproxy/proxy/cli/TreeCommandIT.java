package io.zktenantproxy.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.admin.Closing;
import io.zktenantproxy.proxy.admin.FlinkLayout;
import io.zktenantproxy.proxy.it.Upstreams;
import java.nio.charset.StandardCharsets;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code tree} against a real ZooKeeper holding a Flink layout under {@code /tenants/flink-a}. */
class TreeCommandIT {
    private static TestingServer zk;
    private static CuratorFramework tenant;
    private static FlinkLayout layout;

    @BeforeAll
    static void start() throws Exception {
        zk = Upstreams.server();
        tenant = CuratorFrameworkFactory.builder().connectString(zk.getConnectString()).namespace("tenants/flink-a")
                .retryPolicy(new RetryOneTime(100)).ensembleTracker(false).build();
        tenant.start();
        layout = FlinkLayout.create(tenant);
        tenant.usingNamespace("tenants").create().creatingParentsIfNeeded().forPath("/flink-ab/x");
        CuratorFramework other = tenant.usingNamespace("tenants/other");
        other.create().creatingParentsIfNeeded().forPath("/secret", "s".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(layout, tenant, zk);
    }

    @Test
    void printsTheTenantsViewIndentedWithSizesAndEphemerals() throws Exception {
        Cli.Run run = Cli.run("tree", "--upstream", zk.getConnectString(), "--tenant", "flink-a");
        assertEquals(0, run.exit(), run.err());
        FlinkLayout.Totals totals = FlinkLayout.totals(tenant, "/");
        String[] lines = run.out().split("\n");
        assertEquals("tenant flink-a (chroot /tenants/flink-a), /: " + totals.nodes() + " nodes, " + totals.bytes()
                + " B, " + totals.ephemerals() + " ephemeral", lines[0]);
        assertTrue(lines[1].startsWith("/  0 B; subtree " + totals.nodes() + " nodes"), lines[1]);
        assertTrue(lines[2].startsWith("  flink  0 B; subtree"), lines[2]);
        long session = tenant.getZookeeperClient().getZooKeeper().getSessionId();
        String latch = layout.latchNode().substring(layout.latchNode().lastIndexOf('/') + 1);
        assertTrue(run.out().contains("\n          " + latch + "  0 B  [ephemeral 0x" + Long.toHexString(session)
                + "]\n"), run.out());
        assertTrue(run.out().contains("\n          checkpoint_id_counter  4 B\n"), run.out());
        assertFalse(run.out().contains("secret"), "another tenant's node");
        assertFalse(run.out().contains("/tenants/flink-a/"), "a server path");
        assertFalse(run.out().contains("  flink-ab"), "a neighbour whose name only starts with the tenant's");
    }

    @Test
    void pathDepthAndData() {
        Cli.Run run = Cli.run("tree", "--upstream", zk.getConnectString(), "--tenant", "flink-a",
                "--chroot", "/tenants/flink-a", "--path", "/flink/default/leader", "--depth", "1", "--data");
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(4, lines.length, run.out());
        assertTrue(lines[0].startsWith("tenant flink-a (chroot /tenants/flink-a), /flink/default/leader: "), lines[0]);
        assertTrue(lines[1].startsWith("leader  0 B; subtree "), lines[1]);
        assertTrue(lines[2].startsWith("  latch  0 B; subtree 2 nodes, 0 B, 1 ephemeral  (1 children not shown)"),
                lines[2]);
        assertTrue(lines[3].startsWith("  resource_manager  0 B; subtree 2 nodes, "), lines[3]);
    }

    @Test
    void failuresExitNonZeroWithAMessage() {
        Cli.Run missing = Cli.run("tree", "--upstream", zk.getConnectString(), "--tenant", "flink-a", "--path", "/no");
        assertEquals(1, missing.exit());
        assertEquals("error: no node /no\n", missing.err());
        Cli.Run tooMany = Cli.run("tree", "--upstream", zk.getConnectString(), "--tenant", "flink-a",
                "--max-nodes", "3");
        assertEquals(1, tooMany.exit());
        assertTrue(tooMany.err().startsWith("error: more than 3 nodes under / (limit 3)"), tooMany.err());
        Cli.Run badPath = Cli.run("tree", "--upstream", zk.getConnectString(), "--tenant", "flink-a", "--path", "x");
        assertEquals(2, badPath.exit());
        assertTrue(badPath.err().startsWith("error: path 'x': invalid path"), badPath.err());
        Cli.Run usage = Cli.run("tree", "--tenant", "flink-a");
        assertEquals(2, usage.exit());
        assertTrue(usage.err().contains("Missing required option: '--upstream=CONNECT_STRING'"), usage.err());
    }
}
