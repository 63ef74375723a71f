package io.zktenantproxy.proxy.flink;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.tree.TreeException;
import io.zktenantproxy.proxy.tree.TreeReader;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Reads one tenant's Flink HA state from the ensemble through the operator's client: a bounded read of the znodes
 * Flink uses under the tenant's chroot ({@link FlinkReadPlan}, {@link SnapshotReader}), then a view of it
 * ({@link FlinkView}): clusters, their leaders, jobs, checkpoints and applications, orphans. Paths in the view are the
 * tenant's (chroot stripped); nothing outside the chroot is read, and a tenant's bytes are only ever parsed
 * ({@link LeaderInfoParser}), never deserialized.
 *
 * <p>Where clusters are found: a cluster is a child of a root ({@link FlinkScanLimits#roots()}, by default Flink's
 * {@code /flink}, plus every top-level znode when {@link FlinkScanLimits#discover()} is on) that has at least one of
 * Flink's names below it ({@code leader}, {@code leaderlatch}, {@code jobgraphs}, {@code execution-plans},
 * {@code applications}, {@code jobs}, {@code checkpoints}, {@code checkpoint-counter}). A cluster id with a
 * {@code /} in it ({@code high-availability.cluster-id: /a/b}) is found only when its parent is given as a root.
 *
 * <p>One scanner serves every tenant and remembers across scans which clusters it saw alive, for the orphan decision
 * ({@link FlinkCluster}); a long-running caller (the metrics scan, the admin server) keeps one, a one-shot caller (the
 * CLI) may build one per command. Does not own the client. Thread-safe.
 */
public final class FlinkHaScanner {
    private final TreeReader reader;
    private final LongSupplier clock;
    private final DormancyMemory memory = new DormancyMemory();

    /** @param client the operator's client of the ensemble (not closed here) */
    public FlinkHaScanner(OperatorClient client) {
        this(new TreeReader(client), System::currentTimeMillis);
    }

    FlinkHaScanner(TreeReader reader, LongSupplier clock) {
        this.reader = reader;
        this.clock = clock;
    }

    /**
     * Starts scanning one tenant.
     *
     * @param chroot the tenant's chroot, e.g. {@code /tenants/acme}
     * @param limits the roots and bounds; past a bound the view is returned incomplete, not failed
     * @return completes with the view (incomplete when a bound was hit or a znode could not be read, e.g. NOAUTH), or
     *         fails with a {@link TreeException} {@code UNAVAILABLE} when the client is not connected or loses its
     *         connection during the scan
     * @throws TreeException {@code BAD_REQUEST} if a root is not a valid path, {@code UNAVAILABLE} if the client is
     *                       not connected
     */
    public CompletableFuture<FlinkView> scan(TenantChroot chroot, FlinkScanLimits limits) {
        for (String root : limits.roots()) {
            try {
                chroot.prepend(root);
            } catch (IllegalArgumentException e) {
                throw new TreeException(TreeException.Kind.BAD_REQUEST, "root '" + root + "': " + e.getMessage());
            }
        }
        long started = clock.getAsLong();
        FlinkReadPlan plan = new FlinkReadPlan(limits.roots(), limits.discover());
        return SnapshotReader.read(reader.zooKeeper(), chroot, plan, limits.maxNodes(), limits.maxChildren(),
                limits.timeout().toMillis())
                // off the ZooKeeper client's event thread, which the proxy's session-ownership checks also need
                .thenApplyAsync(snapshot -> view(chroot, limits, plan, snapshot, started));
    }

    /** Interprets a snapshot; the orphan decision uses and updates the memory only for a complete snapshot. */
    FlinkView view(TenantChroot chroot, FlinkScanLimits limits, FlinkReadPlan plan, Snapshot snapshot, long now) {
        List<FlinkCluster> clusters = new ArrayList<>();
        Set<String> roots = new TreeSet<>(limits.roots());
        Set<String> found = new HashSet<>();
        boolean complete = snapshot.incomplete() == null;
        for (Znode z : snapshot.nodes().values()) {
            if (!isCluster(plan, z)) {
                continue;
            }
            FlinkCluster c = new ClusterInterpreter(snapshot, z).interpret();
            roots.add(c.root());
            String key = chroot.prepend(c.path());
            found.add(key);
            boolean dormant = complete && c.sessions() == 0 && !c.leaderPresent() && c.problems().isEmpty();
            Long dormantSince = null;
            boolean orphaned = false;
            if (complete) {
                Long wentDormant = memory.observe(key, dormant, now);
                if (dormant) {
                    long lastWrite = c.lastWrite() == null ? 0 : c.lastWrite();
                    dormantSince = wentDormant == null ? lastWrite : Math.max(lastWrite, wentDormant);
                    orphaned = now - dormantSince >= limits.orphanAfter().toMillis();
                }
            }
            clusters.add(new FlinkCluster(c.path(), c.root(), c.clusterId(), c.layout(), c.leaderPresent(),
                    c.leaders(), c.jobs(), c.applications(), c.sessions(), c.lastWrite(), dormantSince, orphaned,
                    c.raw(), c.problems()));
        }
        if (complete) {
            memory.retain(chroot.root(), found);
        }
        clusters.sort(Comparator.comparing(FlinkCluster::path));
        return new FlinkView(now, List.copyOf(roots), clusters, snapshot.discovered(), snapshot.incomplete());
    }

    /** @return whether {@code z} is a child of a root with one of Flink's names below it */
    private static boolean isCluster(FlinkReadPlan plan, Znode z) {
        if (z.path().equals("/") || z.children() == null) {
            return false;
        }
        List<String> s = FlinkReadPlan.segments(z.path());
        return plan.isRoot(s.subList(0, s.size() - 1))
                && z.children().stream().anyMatch(FlinkReadPlan.CLUSTER_NAMES::contains);
    }
}
