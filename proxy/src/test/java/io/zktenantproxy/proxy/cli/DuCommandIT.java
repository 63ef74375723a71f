package io.zktenantproxy.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.admin.Closing;
import io.zktenantproxy.proxy.admin.FlinkLayout;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.runtime.ProxyRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Quotas;
import org.apache.zookeeper.StatsTrack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code du} against a real ZooKeeper with two tenants under {@code /tenants}: {@code flink-a}, whose Flink layout is
 * made through a proxy (which has ZooKeeper count its usage for the quota), and {@code small}, made directly (no
 * count). du's walk must agree with ZooKeeper's own count, and its quota columns with the quota's arithmetic.
 */
class DuCommandIT {
    private static TestingServer zk;
    private static CuratorFramework root;
    private static ProxyRuntime proxy;
    private static CuratorFramework flinkClient;
    private static FlinkLayout layout;

    @BeforeAll
    static void start() throws Exception {
        zk = Upstreams.server();
        root = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                .retryPolicy(new RetryOneTime(100)).ensembleTracker(false).build();
        root.start();
        proxy = ProxyRuntime.start(ProxyConfig.forUpstream(zk.getConnectString())
                .withTenants(TenantConfig.named("flink-a").withListen("127.0.0.1:0")), null);
        flinkClient = CuratorFrameworkFactory.builder()
                .connectString(ProxyHarness.connectString(proxy.proxy(), "flink-a"))
                .retryPolicy(new RetryOneTime(100)).sessionTimeoutMs(ProxyHarness.SESSION_TIMEOUT_MS)
                .ensembleTracker(false).build();
        flinkClient.start();
        if (!flinkClient.blockUntilConnected(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("flink-a's client did not connect through the proxy");
        }
        layout = FlinkLayout.create(flinkClient);
        root.create().creatingParentsIfNeeded().forPath("/tenants/small/a", "12345".getBytes(StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(layout, flinkClient, proxy, root, zk);
    }

    /** @return ZooKeeper's own count of {@code chroot} ({@code zookeeper_stats}), read directly */
    private static StatsTrack stats(String chroot) throws Exception {
        return new StatsTrack(root.getData().forPath(Quotas.statPath(chroot)));
    }

    private static String row(String name, String chroot, FlinkLayout.Totals t, String quotaZnodes,
                              String quotaBytes) {
        return String.format("%-24s %-32s %10d %14d %11d %12s %14s", name, chroot, t.nodes(), t.bytes(),
                t.ephemerals(), quotaZnodes, quotaBytes);
    }

    /** @return the row of a tenant whose usage ZooKeeper counts: the walk's totals, then the quota's */
    private static String countedRow(String name, String chroot, FlinkLayout.Totals t, int bytesPerZnode) {
        long znodes = t.nodes() - 1; // the quota does not count the chroot itself
        return row(name, chroot, t, String.valueOf(znodes), String.valueOf(t.bytes() + znodes * bytesPerZnode));
    }

    @Test
    void theWalkAgreesWithZooKeepersQuotaCountForATreeMadeThroughTheProxy() throws Exception {
        Cli.Run run = Cli.run("du", "--upstream", zk.getConnectString());
        assertEquals(0, run.exit(), run.err());
        String[] flink = run.out().split("\n")[1].trim().split("\\s+");
        assertEquals("flink-a", flink[0], run.out());
        StatsTrack stats = stats("/tenants/flink-a");
        assertTrue(stats.getCount() > 10, "the layout is counted: " + stats);
        assertEquals(stats.getCount(), Long.parseLong(flink[2]), "NODES = ZooKeeper's count (both with the chroot)");
        assertEquals(stats.getBytes(), Long.parseLong(flink[3]), "BYTES = ZooKeeper's data bytes");
        assertEquals(stats.getCount() - 1, Long.parseLong(flink[5]), "QUOTA_ZNODES: without the chroot");
        assertEquals(stats.getBytes() + (stats.getCount() - 1) * 1024, Long.parseLong(flink[6]),
                "QUOTA_BYTES: data + 1024 per znode");
        assertEquals(FlinkLayout.totals(root, "/tenants/flink-a").nodes(), stats.getCount(), "the oracle agrees");
    }

    @Test
    void perTenantTotalsAndLargestSubtreesFromTheRoot() throws Exception {
        Cli.Run run = Cli.run("du", "--upstream", zk.getConnectString());
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(String.format("%-24s %-32s %10s %14s %11s %12s %14s", "TENANT", "CHROOT", "NODES", "BYTES",
                "EPHEMERALS", "QUOTA_ZNODES", "QUOTA_BYTES"), lines[0]);
        FlinkLayout.Totals flink = FlinkLayout.totals(root, "/tenants/flink-a");
        assertEquals(countedRow("flink-a", "/tenants/flink-a", flink, 1024), lines[1]);
        FlinkLayout.Totals defaults = FlinkLayout.totals(root, "/tenants/flink-a/flink/default");
        assertEquals(String.format("  %-54s %10d %14d %11d", "/flink/default", defaults.nodes(), defaults.bytes(),
                defaults.ephemerals()), lines[2]);
        assertEquals(row("small", "/tenants/small", new FlinkLayout.Totals(2, 5, 0), "-", "-"), lines[3],
                "made directly: ZooKeeper keeps no count");
        assertEquals(4, lines.length, run.out());
    }

    @Test
    void tenantsFromAConfigFileAtAnotherLevel(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("proxy.yaml");
        Files.writeString(config, "upstream: " + zk.getConnectString() + "\n"
                + "limits:\n"
                + "  quotaBytesPerZnode: 512\n"
                + "tenants:\n"
                + "  - {name: flink-a, listen: 127.0.0.1:7461}\n"
                + "  - {name: fresh, listen: 127.0.0.1:7462}\n");
        Cli.Run run = Cli.run("du", "--config", config.toString(), "--level", "3", "--top", "2");
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().split("\n");
        FlinkLayout.Totals flink = FlinkLayout.totals(root, "/tenants/flink-a");
        assertEquals(countedRow("flink-a", "/tenants/flink-a", flink, 512), lines[1], "the configured charge");
        FlinkLayout.Totals jobs = FlinkLayout.totals(root, "/tenants/flink-a/flink/default/jobs");
        assertEquals(String.format("  %-54s %10d %14d %11d", "/flink/default/jobs", jobs.nodes(), jobs.bytes(),
                jobs.ephemerals()), lines[2]);
        assertTrue(lines[3].startsWith("  /flink/default/"), lines[3]);
        assertEquals(String.format("%-24s %-32s %s", "fresh", "/tenants/fresh", "(no node yet)"), lines[4]);
        assertEquals(5, lines.length, run.out());

        Cli.Run flag = Cli.run("du", "--config", config.toString(), "--top", "0", "--bytes-per-znode", "100");
        assertEquals(0, flag.exit(), flag.err());
        assertEquals(countedRow("flink-a", "/tenants/flink-a", flink, 100), flag.out().split("\n")[1],
                "the flag wins over the file");
    }

    @Test
    void aCountZooKeeperNoLongerKeepsIsShownWithANote() throws Exception {
        byte[] two = "xy".getBytes(StandardCharsets.UTF_8);
        root.create().creatingParentsIfNeeded().forPath("/elsewhere/stale/a", two);
        // a stats znode without its limits znode: ZooKeeper counts the subtree when it is made, then never again
        root.create().creatingParentsIfNeeded().forPath(Quotas.statPath("/elsewhere/stale"), new byte[0]);
        assertEquals(2, stats("/elsewhere/stale").getCount(), "counted as made: the chroot and /a");
        root.create().forPath("/elsewhere/stale/b", two);
        Cli.Run run = Cli.run("du", "--upstream", zk.getConnectString(), "--root", "/elsewhere", "--top", "0");
        assertEquals(0, run.exit(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(row("stale", "/elsewhere/stale", new FlinkLayout.Totals(3, 4, 0), "1", "1026"), lines[1],
                "the quota columns show ZooKeeper's count, not the walk's");
        assertEquals("  note: ZooKeeper counts 2 znodes (the chroot included) and 2 data bytes: its "
                + Quotas.limitPath("/elsewhere/stale") + " is missing, so ZooKeeper no longer updates the count "
                + "(a proxy serving the tenant counts afresh)", lines[2]);
        assertEquals(3, lines.length, run.out());
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
        Cli.Run negative = Cli.run("du", "--upstream", zk.getConnectString(), "--bytes-per-znode", "-1");
        assertEquals(2, negative.exit());
        assertEquals("error: --bytes-per-znode: -1 (expected: >= 0)\n", negative.err());
    }
}
