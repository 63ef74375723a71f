package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.flink.FlinkHaScanner;
import io.zktenantproxy.proxy.flink.FlinkScanLimits;
import io.zktenantproxy.proxy.flink.FlinkView;
import io.zktenantproxy.proxy.tree.TreeException;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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
 * {@code flink --upstream CONNECT_STRING [--tenant NAME [--chroot PATH]] [--config FILE] [--root /tenants]}: each
 * tenant's Flink HA state read directly from the ensemble ({@link FlinkHaScanner}), as tables ({@link FlinkPrinter}):
 * clusters, their layout and leaders, jobs with their newest checkpoint, counter, age and locks, orphans. Tenants as
 * {@code tree} and {@code du} find them: {@code --tenant} (chroot {@code --chroot}, default {@code /tenants/NAME}),
 * else the configured ones ({@code --config}), else the children of {@code --root}. The scanner is this command's
 * own, so a cluster is called orphaned from its znodes' times alone. Exit 0 when every tenant was read, 1 otherwise,
 * 2 on invalid usage.
 */
@Command(name = "flink", mixinStandardHelpOptions = true,
        description = "Per tenant: Flink clusters, leaders, jobs, newest checkpoints and orphans, from the HA znodes.")
final class FlinkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    UpstreamOptions upstreamOptions;

    @Option(names = "--upstream", paramLabel = "CONNECT_STRING",
            description = "The ZooKeeper ensemble, host:port,... (default: the --config file's upstream).")
    String upstream;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Only this tenant (default: every tenant).")
    String tenant;

    @Option(names = "--chroot", paramLabel = "PATH", description = "The --tenant's chroot (default /tenants/NAME, or "
            + "the --config file's).")
    String chroot;

    @Option(names = "--root", defaultValue = "/tenants", paramLabel = "PATH",
            description = "Without --tenant or --config, every child of this path is a tenant's chroot (default "
                    + "${DEFAULT-VALUE}).")
    String root;

    @Option(names = "--config", paramLabel = "FILE", description = "Take the tenants (and upstream) from this "
            + "proxy configuration.")
    Path config;

    @Option(names = "--flink-root", paramLabel = "PATH", description = "high-availability.zookeeper.path.root to look "
            + "under, repeatable (default /flink; every top-level znode is looked under too).")
    List<String> flinkRoots;

    @Option(names = "--orphan-after-ms", defaultValue = "3600000", paramLabel = "MS",
            description = "How long a cluster must be dormant to be called orphaned (default ${DEFAULT-VALUE}).")
    long orphanAfterMs;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> tenants = new LinkedHashMap<>();
        String connectString = upstream;
        if (config != null) {
            try {
                ProxyConfig proxyConfig = ConfigLoader.load(config);
                proxyConfig.tenants().stream().filter(t -> tenant == null || t.name().equals(tenant))
                        .forEach(t -> tenants.put(t.name(), t.chroot()));
                connectString = connectString != null ? connectString : proxyConfig.connectString();
                upstreamOptions.defaultsFrom(proxyConfig);
            } catch (ConfigException e) {
                e.errors().forEach(error -> err.println("error: " + error));
                return 2;
            }
        }
        if (tenant != null && (chroot != null || !tenants.containsKey(tenant))) {
            tenants.put(tenant, chroot != null ? chroot : "/tenants/" + tenant);
        }
        if (connectString == null) {
            err.println("error: --upstream is required (or a --config file with an upstream)");
            return 2;
        }
        FlinkScanLimits limits;
        try {
            limits = new FlinkScanLimits(flinkRoots == null ? List.of("/flink") : flinkRoots, true,
                    upstreamOptions.maxNodes, FlinkScanLimits.DEFAULT_MAX_CHILDREN, upstreamOptions.timeout(),
                    Duration.ofMillis(orphanAfterMs));
            for (String chrootPath : tenants.values()) {
                new TenantChroot(chrootPath);
            }
            for (String flinkRoot : limits.roots()) {
                if (!validRoot(flinkRoot)) {
                    err.println("error: --flink-root '" + flinkRoot + "': not an absolute ZooKeeper path");
                    return 2;
                }
            }
        } catch (IllegalArgumentException | TreeException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try (OperatorClient client = upstreamOptions.connect(connectString, err)) {
            if (client == null) {
                return 1;
            }
            if (tenants.isEmpty() && !listTenants(client, tenants, err)) {
                return 1;
            }
            if (tenants.isEmpty()) {
                out.println("no tenants under " + root);
                return 0;
            }
            FlinkHaScanner scanner = new FlinkHaScanner(client);
            boolean allRead = true;
            for (Map.Entry<String, String> t : tenants.entrySet()) {
                allRead &= report(scanner, t.getKey(), t.getValue(), limits, out);
            }
            out.flush();
            return allRead ? 0 : 1;
        }
    }

    /** @return whether {@code path} is a valid tenant path (one that can follow a chroot) */
    private static boolean validRoot(String path) {
        try {
            new TenantChroot("/t").prepend(path);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean report(FlinkHaScanner scanner, String name, String chrootPath, FlinkScanLimits limits,
                           PrintWriter out) throws InterruptedException {
        try {
            FlinkView view = scanner.scan(new TenantChroot(chrootPath), limits).get();
            FlinkPrinter.print(name, chrootPath, view, out);
            return view.complete();
        } catch (ExecutionException e) {
            out.println("tenant " + name + " (chroot " + chrootPath + "): error: "
                    + (e.getCause() instanceof TreeException t ? t.getMessage() : e.getCause()));
            return false;
        } catch (TreeException e) {
            out.println("tenant " + name + " (chroot " + chrootPath + "): error: " + e.getMessage());
            return false;
        }
    }

    /** Puts every child of {@code --root} as a tenant; @return false after printing why it cannot be listed */
    private boolean listTenants(OperatorClient client, Map<String, String> tenants, PrintWriter err)
            throws InterruptedException {
        try {
            List<String> children = new ArrayList<>(client.curator().getZookeeperClient().getZooKeeper()
                    .getChildren(root, false));
            Collections.sort(children);
            String parent = root.equals("/") ? "" : root;
            children.forEach(c -> tenants.put(c, parent + "/" + c));
            return true;
        } catch (KeeperException.NoNodeException e) {
            return true;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            err.println("error: cannot list " + root + ": " + e.getMessage());
            return false;
        }
    }
}
