package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.quota.QuotaUsage;
import io.zktenantproxy.proxy.tree.TreeException;
import io.zktenantproxy.proxy.tree.TreeNode;
import io.zktenantproxy.proxy.tree.TreeQuery;
import io.zktenantproxy.proxy.tree.TreeReader;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Quotas;
import org.apache.zookeeper.StatsTrack;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code du --upstream CONNECT_STRING [--root /tenants] [--config FILE]}: disk usage per tenant, read directly from
 * the ensemble. Tenants are the configured ones ({@code --config}) or else the children of {@code --root}. For each:
 * node count, data bytes, ephemeral count, and its largest subtrees at {@code --level} below the chroot
 * ({@code /flink/default} at level 2 for a Flink tenant). Exit 0 when every tenant was read, 1 otherwise, 2 on
 * invalid usage.
 *
 * <p>Beside the walk's totals, each tenant's usage as the proxy's quota counts it: ZooKeeper's own
 * {@code zookeeper_stats} of the chroot ({@code /zookeeper/quota<chroot>/zookeeper_stats}, kept once a proxy has
 * served the tenant a znode or byte quota): {@code QUOTA_ZNODES} is its count less the chroot itself,
 * {@code QUOTA_BYTES} its data bytes plus {@code --bytes-per-znode} per znode. Its count and data bytes equal the
 * walk's {@code NODES} and {@code BYTES} unless the tree changed during the walk; a difference is noted under the row.
 */
@Command(name = "du", mixinStandardHelpOptions = true,
        description = {"Per tenant: node count, bytes, ephemeral count and largest subtrees, and the usage the "
                + "proxy's quota counts (QUOTA_ZNODES: znodes without the chroot; QUOTA_BYTES: data plus "
                + "--bytes-per-znode per znode; '-' where ZooKeeper keeps no count for the chroot)."})
final class DuCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    UpstreamOptions upstreamOptions;

    @Option(names = "--upstream", paramLabel = "CONNECT_STRING",
            description = "The ZooKeeper ensemble, host:port,... (default: the --config file's upstream).")
    String upstream;

    @Option(names = "--root", defaultValue = "/tenants", paramLabel = "PATH",
            description = "Every child of this path is a tenant's chroot (default ${DEFAULT-VALUE}); ignored with "
                    + "--config.")
    String root;

    @Option(names = "--config", paramLabel = "FILE", description = "Take the tenants (and upstream) from this "
            + "proxy configuration.")
    Path config;

    @Option(names = "--top", defaultValue = "5", description = "Largest subtrees listed per tenant (default "
            + "${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--level", defaultValue = "2", description = "Depth below the chroot of the subtrees ranked "
            + "(default ${DEFAULT-VALUE}).")
    int level;

    @Option(names = "--bytes-per-znode", paramLabel = "N", description = "Bytes the quota charges per znode beside "
            + "its data (default: limits.quotaBytesPerZnode of the --config file, else "
            + Limits.DEFAULT_QUOTA_BYTES_PER_ZNODE + ").")
    Integer bytesPerZnode;

    private static final String HEADER = "%-24s %-32s %10s %14s %11s %12s %14s%n";
    private static final String ROW = "%-24s %-32s %10d %14d %11d %12s %14s%n";

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> tenants = new LinkedHashMap<>();
        String connectString = upstream;
        if (config != null) {
            try {
                ProxyConfig proxyConfig = ConfigLoader.load(config);
                proxyConfig.tenants().forEach((TenantConfig t) -> tenants.put(t.name(), t.chroot()));
                connectString = connectString != null ? connectString : proxyConfig.connectString();
                bytesPerZnode = bytesPerZnode != null ? bytesPerZnode : proxyConfig.limits().quotaBytesPerZnode();
                upstreamOptions.defaultsFrom(proxyConfig);
            } catch (ConfigException e) {
                e.errors().forEach(error -> err.println("error: " + error));
                return 2;
            }
        }
        if (connectString == null) {
            err.println("error: --upstream is required (or a --config file with an upstream)");
            return 2;
        }
        if (level < 1 || top < 0) {
            err.println("error: --level must be >= 1 and --top >= 0");
            return 2;
        }
        if (bytesPerZnode == null) {
            bytesPerZnode = Limits.DEFAULT_QUOTA_BYTES_PER_ZNODE;
        } else if (bytesPerZnode < 0) {
            err.println("error: --bytes-per-znode: " + bytesPerZnode + " (expected: >= 0)");
            return 2;
        }
        try (OperatorClient client = upstreamOptions.connect(connectString, err)) {
            if (client == null) {
                return 1;
            }
            TreeReader reader = new TreeReader(client);
            if (config == null && !listTenants(reader, tenants, err)) {
                return 1;
            }
            if (tenants.isEmpty()) {
                out.println("no tenants under " + root);
                return 0;
            }
            boolean allRead = true;
            out.printf(HEADER, "TENANT", "CHROOT", "NODES", "BYTES", "EPHEMERALS", "QUOTA_ZNODES", "QUOTA_BYTES");
            for (Map.Entry<String, String> tenant : tenants.entrySet()) {
                allRead &= report(reader, tenant.getKey(), tenant.getValue(), out);
            }
            out.flush();
            return allRead ? 0 : 1;
        }
    }

    private boolean listTenants(TreeReader reader, Map<String, String> tenants, PrintWriter err)
            throws InterruptedException {
        try {
            List<String> children = new ArrayList<>(reader.zooKeeper().getChildren(root, false));
            Collections.sort(children);
            String parent = root.equals("/") ? "" : root;
            children.forEach(c -> tenants.put(c, parent + "/" + c));
            return true;
        } catch (KeeperException.NoNodeException e) {
            return true;
        } catch (KeeperException | IllegalArgumentException | TreeException e) {
            err.println("error: cannot list " + root + ": " + e.getMessage());
            return false;
        }
    }

    private boolean report(TreeReader reader, String name, String chroot, PrintWriter out)
            throws InterruptedException {
        try {
            TreeQuery query = new TreeQuery(new TenantChroot(chroot), "/", level, upstreamOptions.maxNodes,
                    upstreamOptions.timeout(), false, 0);
            TreeNode tree = reader.walk(query).get();
            QuotaStats stats = quotaStats(reader, chroot);
            String quotaZnodes = "-";
            String quotaBytes = "-";
            if (stats.track() != null) {
                QuotaUsage usage = QuotaUsage.of(stats.track());
                quotaZnodes = String.valueOf(usage.znodes());
                quotaBytes = String.valueOf(usage.chargedBytes(bytesPerZnode));
            } else if (stats.problem() != null) {
                quotaZnodes = "?";
                quotaBytes = "?";
            }
            out.printf(ROW, name, chroot, tree.subtree().nodes(), tree.subtree().bytes(), tree.subtree().ephemerals(),
                    quotaZnodes, quotaBytes);
            if (stats.problem() != null) {
                out.println("  note: " + stats.problem());
            } else if (stats.track() != null && (stats.track().getCount() != tree.subtree().nodes()
                    || stats.track().getBytes() != tree.subtree().bytes())) {
                out.printf("  note: ZooKeeper counts %d znodes (the chroot included) and %d data bytes: %s%n",
                        stats.track().getCount(), stats.track().getBytes(), whyApart(reader, chroot, tree));
            }
            for (TreeNode subtree : largest(tree)) {
                out.printf("  %-54s %10d %14d %11d%n", subtree.path(), subtree.subtree().nodes(),
                        subtree.subtree().bytes(), subtree.subtree().ephemerals());
            }
            return true;
        } catch (ExecutionException e) {
            boolean missing = e.getCause() instanceof TreeException t && t.kind() == TreeException.Kind.NOT_FOUND;
            out.printf("%-24s %-32s %s%n", name, chroot, missing ? "(no node yet)"
                    : "error: " + (e.getCause() instanceof TreeException t ? t.getMessage() : e.getCause()));
            return missing;
        } catch (IllegalArgumentException | TreeException e) {
            out.printf("%-24s %-32s error: %s%n", name, chroot, e.getMessage());
            return false;
        }
    }

    /**
     * ZooKeeper's quota count of a chroot.
     *
     * @param track   the {@code zookeeper_stats}, or null when there is none or it cannot be read
     * @param problem why it cannot be read, or null
     */
    private record QuotaStats(StatsTrack track, String problem) {
    }

    /** @return the {@code zookeeper_stats} of {@code chroot}, read after the walk on the same session */
    private static QuotaStats quotaStats(TreeReader reader, String chroot) throws InterruptedException {
        String path = Quotas.statPath(chroot);
        try {
            return new QuotaStats(new StatsTrack(reader.zooKeeper().getData(path, false, null)), null);
        } catch (KeeperException.NoNodeException e) {
            return new QuotaStats(null, null);
        } catch (KeeperException e) {
            String hint = e.code() == KeeperException.Code.NOAUTH
                    ? " (try --digest with the proxy's operator identity)" : "";
            return new QuotaStats(null, "cannot read " + path + ": " + e.code().name().toLowerCase(Locale.ROOT) + hint);
        } catch (IllegalArgumentException e) {
            return new QuotaStats(null, "unreadable " + path + ": " + e.getMessage());
        }
    }

    /** @return why ZooKeeper's count and the walk differ */
    private static String whyApart(TreeReader reader, String chroot, TreeNode tree) throws InterruptedException {
        try {
            if (reader.zooKeeper().exists(Quotas.limitPath(chroot), false) == null) {
                return "its " + Quotas.limitPath(chroot) + " is missing, so ZooKeeper no longer updates the count "
                        + "(a proxy serving the tenant counts afresh)";
            }
        } catch (KeeperException e) {
            // fall through to the usual reason
        }
        return tree.subtree().partial() ? "the walk could not read every node, or the tree changed during it"
                : "the tree changed during the walk";
    }

    /** @return the {@code top} largest subtrees exactly {@code level} below the root, most nodes first */
    private List<TreeNode> largest(TreeNode root) {
        List<TreeNode> atLevel = new ArrayList<>();
        collect(root, 0, atLevel);
        atLevel.sort(Comparator.comparingLong((TreeNode n) -> n.subtree().nodes())
                .thenComparingLong(n -> n.subtree().bytes()).reversed());
        return atLevel.subList(0, Math.min(top, atLevel.size()));
    }

    private void collect(TreeNode node, int depth, List<TreeNode> into) {
        if (depth == level) {
            into.add(node);
        } else if (node.children() != null) {
            node.children().forEach(c -> collect(c, depth + 1, into));
        }
    }
}
