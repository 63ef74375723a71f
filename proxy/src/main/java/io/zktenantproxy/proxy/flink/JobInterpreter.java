package io.zktenantproxy.proxy.flink;

import static io.zktenantproxy.proxy.flink.FlinkZnodes.APPLICATIONS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINTS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINT_COUNTER_1_12;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINT_ID_COUNTER;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.EXECUTION_PLANS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOBGRAPHS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOBS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LOCKS;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds one cluster's jobs and applications in a {@link Snapshot}: a job is every JobID (32 hex digits) named in the
 * plan store ({@code execution-plans} or {@code jobgraphs}), under {@code jobs} (1.15+), or under {@code checkpoints}
 * and {@code checkpoint-counter} (1.12-1.13); its checkpoints and counter are read from its layout's places.
 */
final class JobInterpreter {
    private final Snapshot snapshot;
    private final String cluster;
    private final HaLayout layout;
    private final Set<String> contenderSessions;

    /** @param contenderSessions sessions of every latch participant of the cluster, for {@link HaLock#contender} */
    JobInterpreter(Snapshot snapshot, String cluster, HaLayout layout, Set<String> contenderSessions) {
        this.snapshot = snapshot;
        this.cluster = cluster;
        this.layout = layout;
        this.contenderSessions = contenderSessions;
    }

    /** @return the jobs, by id */
    List<FlinkJob> jobs() {
        boolean legacy = layout == HaLayout.FLINK_1_12;
        String plans = path(snapshot.get(path(EXECUTION_PLANS)) != null ? EXECUTION_PLANS : JOBGRAPHS);
        TreeSet<String> ids = new TreeSet<>();
        for (String dir : List.of(plans, path(JOBS), path(CHECKPOINTS), path(CHECKPOINT_COUNTER_1_12))) {
            names(dir).stream().filter(FlinkZnodes::isHexId).forEach(ids::add);
        }
        List<FlinkJob> jobs = new ArrayList<>();
        for (String id : ids) {
            String checkpoints = legacy ? path(CHECKPOINTS) + "/" + id : path(JOBS) + "/" + id + "/" + CHECKPOINTS;
            String counterPath = legacy ? path(CHECKPOINT_COUNTER_1_12) + "/" + id
                    : path(JOBS) + "/" + id + "/" + CHECKPOINT_ID_COUNTER;
            List<String> pointers = names(checkpoints).stream().filter(n -> FlinkZnodes.checkpointId(n) != null)
                    .toList();
            CheckpointPointer newest = null;
            for (String name : FlinkReadPlan.newest(pointers)) {
                Znode z = snapshot.get(checkpoints + "/" + name);
                if (z != null) {
                    newest = new CheckpointPointer(z.path(), FlinkZnodes.checkpointId(name), z.stat().getCtime(),
                            locks(z));
                }
            }
            Znode counter = snapshot.get(counterPath);
            Long value = counter == null ? null : FlinkZnodes.sharedCount(counter.data());
            String counterProblem = counter == null || value != null ? null : counter.problem() != null
                    ? counter.problem() : "value: " + (counter.data() == null ? "not read" : counter.data().length
                    + " bytes") + " (expected: 4 bytes, a Curator SharedCount)";
            jobs.add(new FlinkJob(id, handle(snapshot.get(plans + "/" + id)), newest, pointers.size(), value,
                    counter == null ? null : counter.stat().getMtime(), counterProblem));
        }
        return jobs;
    }

    /** @return the applications (Flink 2.3), by id */
    List<FlinkApplication> applications() {
        List<FlinkApplication> apps = new ArrayList<>();
        for (Znode z : snapshot.children(snapshot.get(path(APPLICATIONS)))) {
            apps.add(new FlinkApplication(LeaderInterpreter.name(z.path()), handle(z)));
        }
        return apps;
    }

    private StateHandle handle(Znode z) {
        return z == null ? null : new StateHandle(z.path(), z.stat().getCtime(), z.stat().getMtime(), locks(z));
    }

    /** Locks under {@code handle/locks} (1.15+) and, as 1.12-1.14 keep them, directly under the handle. */
    private List<HaLock> locks(Znode handle) {
        List<HaLock> locks = new ArrayList<>();
        for (Znode child : snapshot.children(handle)) {
            if (LeaderInterpreter.name(child.path()).equals(LOCKS)) {
                snapshot.children(child).forEach(lock -> locks.add(lock(lock)));
            } else {
                locks.add(lock(child));
            }
        }
        return locks;
    }

    private HaLock lock(Znode z) {
        String session = z.session();
        return new HaLock(LeaderInterpreter.name(z.path()), session, session != null
                && contenderSessions.contains(session));
    }

    private String path(String name) {
        return Snapshot.join(cluster, name);
    }

    private List<String> names(String path) {
        Znode node = snapshot.get(path);
        return node == null || node.children() == null ? List.of() : node.children();
    }
}
