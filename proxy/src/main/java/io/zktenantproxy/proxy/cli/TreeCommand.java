package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.tree.TreeException;
import io.zktenantproxy.proxy.tree.TreeNode;
import io.zktenantproxy.proxy.tree.TreeQuery;
import io.zktenantproxy.proxy.tree.TreeReader;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tree --upstream CONNECT_STRING --tenant NAME [--chroot PATH] [--path /flink] [--depth N]}: prints a tenant's
 * tree as the tenant sees it (paths without the chroot), read directly from the ensemble, one node a line, indented,
 * with data sizes, subtree totals and ephemeral owners. Exit 0 on success, 1 when the tree cannot be read (no such
 * node, past a bound, no connection), 2 on invalid usage.
 */
@Command(name = "tree", mixinStandardHelpOptions = true,
        description = "Print a tenant's tree as the tenant sees it, with sizes and ephemeral owners.")
final class TreeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    UpstreamOptions upstreamOptions;

    @Option(names = "--upstream", required = true, paramLabel = "CONNECT_STRING",
            description = "The ZooKeeper ensemble, host:port,...")
    String upstream;

    @Option(names = "--tenant", required = true, paramLabel = "NAME", description = "Tenant name.")
    String tenant;

    @Option(names = "--chroot", paramLabel = "PATH", description = "The tenant's chroot (default /tenants/NAME).")
    String chroot;

    @Option(names = "--path", defaultValue = "/", description = "Subtree to print, as the tenant sees it "
            + "(default ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--depth", defaultValue = "1000", description = "Levels to print below --path; totals always "
            + "cover the whole subtree (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--data", description = "Print each node's data (text, or base64), first 64 bytes.")
    boolean data;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TreeQuery query;
        try {
            query = new TreeQuery(new TenantChroot(chroot != null ? chroot : "/tenants/" + tenant), path, depth,
                    upstreamOptions.maxNodes, upstreamOptions.timeout(), data, TreePrinter.DATA_PREVIEW);
        } catch (IllegalArgumentException | TreeException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try (OperatorClient client = upstreamOptions.connect(upstream, err)) {
            if (client == null) {
                return 1;
            }
            TreeNode root = new TreeReader(client).walk(query).get();
            out.println("tenant " + tenant + " (chroot " + query.chroot().root() + "), " + query.path() + ": "
                    + TreePrinter.totals(root));
            TreePrinter.print(root, out);
            out.flush();
            return 0;
        } catch (ExecutionException e) {
            err.println("error: " + (e.getCause() instanceof TreeException t ? t.getMessage() : e.getCause()));
            return 1;
        } catch (TreeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
