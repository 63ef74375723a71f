package io.zktenantproxy.proxy.flink;

import static io.zktenantproxy.proxy.flink.FlinkZnodes.CONNECTION_INFO;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOBS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOB_MANAGER_LOCK_1_12;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LATCH;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LEADER;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LEADER_LATCH_1_12;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LOCK_SUFFIX_1_12;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Finds the leader of each component of one cluster in a {@link Snapshot}, for each {@link HaLayout}:
 * <pre>
 * FLINK_1_15, FLINK_2_0, FLINK_2_3   latch leader/latch (shared);  info leader/&lt;component&gt;/connection_info,
 *                                    a job's component named &lt;job&gt; (1.15) or job-&lt;job&gt; (1.20, 2.x)
 * FLINK_1_14           latch leader/&lt;component&gt;/latch; info leader/&lt;component&gt;/connection_info;
 *                                    jobs: jobs/&lt;job&gt;/leader/latch and jobs/&lt;job&gt;/leader/connection_info
 * FLINK_1_12                         latch leaderlatch/&lt;component&gt;_lock;  info leader/&lt;component&gt;_lock;
 *                                    jobs: leaderlatch/&lt;job&gt;/job_manager_lock,
 *                                    leader/&lt;job&gt;/job_manager_lock
 * </pre>
 * A component is named by Flink's {@code resource_manager}, {@code dispatcher}, {@code rest_server}, or
 * {@code job_manager} with its job id; anything else under {@code leader} keeps its znode name.
 */
final class LeaderInterpreter {
    /** The prefix of a JobMaster's leader znode name before its job id, from Flink 1.20 on (see {@link #jobOf}). */
    private static final String JOB_PREFIX = "job-";
    private final Snapshot snapshot;
    private final String cluster;

    LeaderInterpreter(Snapshot snapshot, String cluster) {
        this.snapshot = snapshot;
        this.cluster = cluster;
    }

    /** @return the leaders of {@code layout}'s components, components first then jobs, each by name */
    List<ComponentLeader> leaders(HaLayout layout) {
        List<ComponentLeader> leaders = new ArrayList<>();
        String leaderPath = Snapshot.join(cluster, LEADER);
        if (layout == HaLayout.FLINK_1_12) {
            String latchRoot = Snapshot.join(cluster, LEADER_LATCH_1_12);
            TreeSet<String> names = new TreeSet<>(names(leaderPath));
            names.addAll(names(latchRoot));
            for (String name : names) {
                boolean job = FlinkZnodes.isHexId(name);
                String suffix = job ? name + "/" + JOB_MANAGER_LOCK_1_12 : name;
                String component = job ? "job_manager" : name.endsWith(LOCK_SUFFIX_1_12)
                        ? name.substring(0, name.length() - LOCK_SUFFIX_1_12.length()) : name;
                leaders.add(leader(component, job ? name : null, leaderPath + "/" + suffix,
                        latch(latchRoot + "/" + suffix)));
            }
        } else if (layout == HaLayout.FLINK_1_14) {
            for (String name : names(leaderPath)) {
                String dir = Snapshot.join(leaderPath, name);
                leaders.add(leader(component(name), jobOf(name), Snapshot.join(dir, CONNECTION_INFO),
                        latch(Snapshot.join(dir, LATCH))));
            }
            for (String job : names(Snapshot.join(cluster, JOBS))) {
                String dir = Snapshot.join(cluster, JOBS) + "/" + job + "/" + LEADER;
                if (snapshot.get(dir) != null) {
                    leaders.add(leader("job_manager", job, Snapshot.join(dir, CONNECTION_INFO),
                            latch(Snapshot.join(dir, LATCH))));
                }
            }
        } else {
            Latch shared = latch(Snapshot.join(leaderPath, LATCH));
            for (String name : names(leaderPath)) {
                if (!name.equals(LATCH)) {
                    leaders.add(leader(component(name), jobOf(name),
                            Snapshot.join(Snapshot.join(leaderPath, name), CONNECTION_INFO), shared));
                }
            }
        }
        leaders.sort(Comparator.comparing((ComponentLeader l) -> l.jobId() != null)
                .thenComparing(l -> l.jobId() == null ? l.component() : l.jobId()));
        return leaders;
    }

    /** @return the latch at {@code path}, with no participants if it was not read */
    Latch latch(String path) {
        Znode node = snapshot.get(path);
        List<Znode> participants = new ArrayList<>();
        for (Znode child : snapshot.children(node)) {
            if (FlinkZnodes.latchSequence(name(child.path())) != null) {
                participants.add(child);
            }
        }
        participants.sort(Comparator.comparing((Znode z) -> FlinkZnodes.latchSequence(name(z.path())))
                .thenComparing(Znode::path));
        List<String> sessions = participants.stream().map(z -> z.session() == null ? "0x0" : z.session()).toList();
        if (participants.isEmpty()) {
            return new Latch(path, 0, null, null, null, sessions);
        }
        Znode holder = participants.get(0);
        return new Latch(path, participants.size(), name(holder.path()), holder.session(),
                holder.stat().getCtime(), sessions);
    }

    private ComponentLeader leader(String component, String jobId, String infoPath, Latch latch) {
        Znode info = snapshot.get(infoPath);
        Long since = latch.holderCtime();
        if (info == null) {
            return new ComponentLeader(component, jobId, null, null, null, null, latch, since, null);
        }
        String infoSession = info.session();
        if (since != null && infoSession != null && infoSession.equals(latch.holderSession())) {
            since = Math.max(since, info.stat().getCtime());
        }
        LeaderInfo parsed = info.data() == null ? null : LeaderInfoParser.parse(info.data());
        if (info.data() == null && info.problem() == null && info.stat().getDataLength() == 0) {
            parsed = LeaderInfo.EMPTY;
        }
        return new ComponentLeader(component, jobId, infoPath, parsed, infoSession, info.stat().getMtime(), latch,
                since, info.problem());
    }

    private List<String> names(String path) {
        Znode node = snapshot.get(path);
        return node == null || node.children() == null ? List.of() : node.children();
    }

    private static String component(String name) {
        return jobOf(name) != null ? "job_manager" : name;
    }

    /**
     * A JobMaster's leader znode under the shared {@code leader} is named by its job id in Flink 1.15, and
     * {@code job-<job id>} in later Flink ({@code ZooKeeperLeaderElectionHaServices.getLeaderPathForJobManager} of
     * 1.20 and 2.3; seen with real Flink 1.20 and 2.3 in flink-ha-test).
     */
    private static String jobOf(String name) {
        String id = name.startsWith(JOB_PREFIX) ? name.substring(JOB_PREFIX.length()) : name;
        return FlinkZnodes.isHexId(id) ? id : null;
    }

    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
