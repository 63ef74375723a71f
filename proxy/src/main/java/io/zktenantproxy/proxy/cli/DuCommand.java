package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
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
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.zookeeper.KeeperException;
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
 */
@Command(name = "du", mixinStandardHelpOptions = true,
        description = "Per tenant: node count, bytes, ephemeral count and largest subtrees.")
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
                connectString = connectString != null ? connectString : proxyConfig.upstream();
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
            out.printf("%-24s %-32s %10s %14s %11s%n", "TENANT", "CHROOT", "NODES", "BYTES", "EPHEMERALS");
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
            out.printf("%-24s %-32s %10d %14d %11d%n", name, chroot, tree.subtree().nodes(), tree.subtree().bytes(),
                    tree.subtree().ephemerals());
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
