package io.zktenantproxy.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.admin.Closing;
import io.zktenantproxy.proxy.admin.FlinkLayout;
import io.zktenantproxy.proxy.it.Upstreams;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code du} against a real ZooKeeper with two tenants under {@code /tenants}. */
class DuCommandIT {
    private static TestingServer zk;
    private static CuratorFramework root;
    private static FlinkLayout layout;

    @BeforeAll
    static void start() throws Exception {
        zk = Upstreams.server();
        root = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .retryPolicy(new RetryOneTime(100)).ensembleTracker(false).build();
        root.start();
        layout = FlinkLayout.create(root.usingNamespace("tenants/flink-a"));
        root.create().creatingParentsIfNeeded().forPath("/tenants/small/a", "12345".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(layout, root, zk);
    }

    private static String row(String name, String chroot, FlinkLayout.Totals t) {
        return String.format("%-24s %-32s %10d %14d %11d", name, chroot, t.nodes(), t.bytes(), t.ephemerals());
    }

    @Test
    void perTenantTotalsAndLargestSubtreesFromTheRoot() throws Exception {
        Cli.Run run = Cli.run("du", "--upstream", zk.getConnectString());
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().split("\n");
        assertTrue(lines[0].startsWith("TENANT"), lines[0]);
        FlinkLayout.Totals flink = FlinkLayout.totals(root, "/tenants/flink-a");
        assertEquals(row("flink-a", "/tenants/flink-a", flink), lines[1]);
        FlinkLayout.Totals defaults = FlinkLayout.totals(root, "/tenants/flink-a/flink/default");
        assertEquals(String.format("  %-54s %10d %14d %11d", "/flink/default", defaults.nodes(), defaults.bytes(),
                defaults.ephemerals()), lines[2]);
        assertEquals(row("small", "/tenants/small", new FlinkLayout.Totals(2, 5, 0)), lines[3]);
        assertEquals(4, lines.length, run.out());
    }

    @Test
    void tenantsFromAConfigFileAtAnotherLevel(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("proxy.yaml");
        Files.writeString(config, "upstream: " + zk.getConnectString() + "\n"
                + "tenants:\n"
                + "  - {name: flink-a, listen: 127.0.0.1:7461}\n"
                + "  - {name: fresh, listen: 127.0.0.1:7462}\n");
        Cli.Run run = Cli.run("du", "--config", config.toString(), "--level", "3", "--top", "2");
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(row("flink-a", "/tenants/flink-a", FlinkLayout.totals(root, "/tenants/flink-a")), lines[1]);
        FlinkLayout.Totals jobs = FlinkLayout.totals(root, "/tenants/flink-a/flink/default/jobs");
        assertEquals(String.format("  %-54s %10d %14d %11d", "/flink/default/jobs", jobs.nodes(), jobs.bytes(),
                jobs.ephemerals()), lines[2]);
        assertTrue(lines[3].startsWith("  /flink/default/"), lines[3]);
        assertEquals(String.format("%-24s %-32s %s", "fresh", "/tenants/fresh", "(no node yet)"), lines[4]);
        assertEquals(5, lines.length, run.out());
    }

    @Test
    void boundsAndUsageErrors() {
        Cli.Run bounded = Cli.run("du", "--upstream", zk.getConnectString(), "--max-nodes", "3");
        assertEquals(1, bounded.exit());
        assertTrue(bounded.out().contains("error: more than 3 nodes under / (limit 3)"), bounded.out());
        Cli.Run noUpstream = Cli.run("du");
        assertEquals(2, noUpstream.exit());
        assertEquals("error: --upstream is required (or a --config file with an upstream)\n", noUpstream.err());
        Cli.Run empty = Cli.run("du", "--upstream", zk.getConnectString(), "--root", "/nothing");
        assertEquals(0, empty.exit());
        assertEquals("no tenants under /nothing\n", empty.out());
    }
}
