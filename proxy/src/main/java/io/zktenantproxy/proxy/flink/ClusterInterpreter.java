package io.zktenantproxy.proxy.flink;

import static io.zktenantproxy.proxy.flink.FlinkZnodes.APPLICATIONS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINTS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINT_COUNTER_1_12;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CONNECTION_INFO;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.EXECUTION_PLANS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOBGRAPHS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOBS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LATCH;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LEADER;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LEADER_LATCH_1_12;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LOCK_SUFFIX_1_12;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds one {@link FlinkCluster} from a {@link Snapshot}: tells its {@link HaLayout} from the names below it, then
 * reads leaders ({@link LeaderInterpreter}) and jobs ({@link JobInterpreter}) the way that layout keeps them, and
 * sums up sessions and the newest write for the orphan decision ({@link FlinkCluster} explains it).
 */
final class ClusterInterpreter {
    /** The names only the 1.12-1.13 layout has below a cluster. */
    private static final Set<String> NAMES_1_12 = Set.of(LEADER_LATCH_1_12, CHECKPOINT_COUNTER_1_12, CHECKPOINTS);
    /** Every cluster child a known layout explains; the others are shown raw. */
    private static final Set<String> KNOWN = Set.of(LEADER, LEADER_LATCH_1_12, JOBGRAPHS, EXECUTION_PLANS,
            APPLICATIONS, JOBS, CHECKPOINTS, CHECKPOINT_COUNTER_1_12, "running_job_registry");

    private final Snapshot snapshot;
    private final Znode cluster;

    ClusterInterpreter(Snapshot snapshot, Znode cluster) {
        this.snapshot = snapshot;
        this.cluster = cluster;
    }

    /** The cluster before the orphan decision: everything but {@code dormantSince} and {@code orphaned}. */
    FlinkCluster interpret() {
        String path = cluster.path();
        String parent = path.substring(0, Math.max(1, path.lastIndexOf('/')));
        HaLayout layout = layout();
        List<Znode> below = below();
        List<String> problems = new ArrayList<>();
        Set<String> sessions = new LinkedHashSet<>();
        long lastWrite = 0;
        for (Znode z : below) {
            if (z.problem() != null) {
                problems.add(z.path() + ": " + z.problem());
            }
            if (z.session() != null) {
                sessions.add(z.session());
            }
            lastWrite = Math.max(lastWrite, Math.max(z.stat().getCtime(), z.stat().getMtime()));
        }
        if (layout == HaLayout.UNKNOWN) {
            List<String> raw = below.stream().map(Znode::path).filter(p -> !p.equals(path)).sorted().toList();
            return new FlinkCluster(path, parent, LeaderInterpreter.name(path), layout, false, List.of(), List.of(),
                    List.of(), sessions.size(), lastWrite, null, false, raw, problems);
        }
        LeaderInterpreter leaderReader = new LeaderInterpreter(snapshot, path);
        List<ComponentLeader> leaders = leaderReader.leaders(layout);
        Set<String> contenders = new HashSet<>();
        leaders.forEach(l -> contenders.addAll(l.latch().sessions()));
        boolean leaderPresent = leaderPresent(layout, leaderReader.latch(cluster.child(LEADER) + "/" + LATCH), leaders);
        JobInterpreter jobReader = new JobInterpreter(snapshot, path, layout, contenders);
        List<String> raw = cluster.children().stream().filter(n -> !KNOWN.contains(n))
                .map(cluster::child).toList();
        return new FlinkCluster(path, parent, LeaderInterpreter.name(path), layout, leaderPresent, leaders,
                jobReader.jobs(), jobReader.applications(), sessions.size(), lastWrite, null, false, raw, problems);
    }

    /**
     * 1.15+: whether {@code leader/latch} has a holder. Before (a latch per component): the dispatcher's, or when no
     * dispatcher is found, any component's.
     */
    private static boolean leaderPresent(HaLayout layout, Latch shared, List<ComponentLeader> all) {
        if (layout == HaLayout.FLINK_1_15 || layout == HaLayout.FLINK_2_0 || layout == HaLayout.FLINK_2_3) {
            return shared.holder() != null;
        }
        boolean any = false;
        for (ComponentLeader l : all) {
            if (l.component().equals("dispatcher")) {
                return l.latch().holder() != null;
            }
            any |= l.latch().holder() != null;
        }
        return any;
    }

    /** Tells the layout from the names below the cluster; see {@link HaLayout}. */
    HaLayout layout() {
        List<String> names = cluster.children();
        Znode leader = snapshot.get(cluster.child(LEADER));
        List<String> leaderNames = leader == null || leader.children() == null ? List.of() : leader.children();
        if (names.stream().anyMatch(NAMES_1_12::contains)
                || leaderNames.stream().anyMatch(n -> n.endsWith(LOCK_SUFFIX_1_12))) {
            return HaLayout.FLINK_1_12;
        }
        if (names.contains(APPLICATIONS)) {
            return HaLayout.FLINK_2_3;
        }
        boolean perComponent = snapshot.children(leader).stream().anyMatch(z -> !z.path().endsWith("/" + LATCH)
                && z.children() != null && z.children().contains(LATCH));
        if (perComponent) {
            return HaLayout.FLINK_1_14;
        }
        if (names.contains(EXECUTION_PLANS)) {
            return HaLayout.FLINK_2_0;
        }
        boolean sharedLeader = leaderNames.contains(LATCH) || snapshot.children(leader).stream()
                .anyMatch(z -> z.children() != null && z.children().contains(CONNECTION_INFO));
        return sharedLeader || names.contains(JOBGRAPHS) ? HaLayout.FLINK_1_15 : HaLayout.UNKNOWN;
    }

    /** @return the cluster's znode and every znode read below it */
    private List<Znode> below() {
        String prefix = cluster.path() + "/";
        List<Znode> below = new ArrayList<>();
        for (Znode z : snapshot.nodes().values()) {
            if (z.path().equals(cluster.path()) || z.path().startsWith(prefix)) {
                below.add(z);
            }
        }
        return below;
    }
}
