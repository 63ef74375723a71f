package io.zktenantproxy.proxy.flink;

import static io.zktenantproxy.proxy.flink.FlinkZnodes.APPLICATIONS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINTS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINT_COUNTER_1_12;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CHECKPOINT_ID_COUNTER;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.CONNECTION_INFO;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.EXECUTION_PLANS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOBGRAPHS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.JOBS;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LEADER;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LEADER_LATCH_1_12;
import static io.zktenantproxy.proxy.flink.FlinkZnodes.LOCK_SUFFIX_1_12;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.zookeeper.data.Stat;

/**
 * The znodes a Flink view needs, and no others. A <em>root</em> is a configured HA root, or any top-level znode when
 * discovery is on; a <em>candidate cluster</em> is a child of a root; below a candidate, only Flink's names are
 * followed, each to the depth its layout has ({@link HaLayout}):
 * <pre>
 * leader/..., leaderlatch/...           everything to 4 levels below; data of leaves named connection_info or *_lock
 * jobgraphs|execution-plans|applications/&lt;id&gt;[/locks]/&lt;lock&gt;   stat of every lock
 * jobs/&lt;job&gt;/checkpoint_id_counter         data
 * jobs/&lt;job&gt;/checkpoints/&lt;newest id&gt;[/locks]/&lt;lock&gt;   only the newest pointer is visited
 * jobs/&lt;job&gt;/leader/...                   as leader/...
 * checkpoints/&lt;job&gt;/&lt;newest id&gt;/&lt;lock&gt;, checkpoint-counter/&lt;job&gt;   (1.12-1.13)
 * </pre>
 * A path that several of these rules reach (a nested root, say) gets the union of what they ask.
 */
final class FlinkReadPlan implements ReadPlan {
    /** The names below a cluster that the plan follows; a candidate with none of them is no Flink cluster. */
    static final Set<String> CLUSTER_NAMES = Set.of(LEADER, LEADER_LATCH_1_12, JOBGRAPHS, EXECUTION_PLANS,
            APPLICATIONS, JOBS, CHECKPOINTS, CHECKPOINT_COUNTER_1_12);
    private static final Set<String> HANDLE_STORES = Set.of(JOBGRAPHS, EXECUTION_PLANS, APPLICATIONS);
    private static final int LEADER_DEPTH = 4;

    private final List<List<String>> roots;
    private final boolean discover;

    /** @param roots tenant paths of the configured roots, each valid; {@code /} allowed */
    FlinkReadPlan(List<String> roots, boolean discover) {
        this.roots = roots.stream().map(FlinkReadPlan::segments).toList();
        this.discover = discover;
    }

    static List<String> segments(String path) {
        return path.equals("/") ? List.of() : List.of(path.substring(1).split("/"));
    }

    boolean isRoot(List<String> s) {
        return roots.contains(s) || discover && s.size() == 1;
    }

    @Override
    public Want want(String path, Stat stat) {
        List<String> s = segments(path);
        boolean data = false;
        // the tenant's root, a root, a configured root's ancestor, or a candidate cluster: list it
        boolean children = s.isEmpty() || isRoot(s) || isRoot(s.subList(0, s.size() - 1))
                || roots.stream().anyMatch(r -> r.size() > s.size() && startsWith(r, s));
        for (List<String> rest : inside(s)) {
            Want w = wantInside(rest, stat);
            data |= w.data();
            children |= w.children();
        }
        return new Want(data, children);
    }

    @Override
    public List<String> visit(String path, List<String> names) {
        List<String> s = segments(path);
        Set<String> visit = new LinkedHashSet<>();
        if (isRoot(s) || s.isEmpty() && discover) {
            visit.addAll(names);
        }
        for (List<String> r : roots) {
            if (r.size() > s.size() && startsWith(r, s) && names.contains(r.get(s.size()))) {
                visit.add(r.get(s.size()));
            }
        }
        if (!s.isEmpty() && isRoot(s.subList(0, s.size() - 1))) {
            names.stream().filter(CLUSTER_NAMES::contains).forEach(visit::add);
        }
        for (List<String> rest : inside(s)) {
            visit.addAll(visitInside(rest, names));
        }
        return new ArrayList<>(visit);
    }

    /** @return for each candidate cluster above {@code s}, the segments of {@code s} below it */
    private List<List<String>> inside(List<String> s) {
        List<List<String>> rests = new ArrayList<>();
        for (int c = 1; c < s.size(); c++) {
            if (isRoot(s.subList(0, c - 1)) && CLUSTER_NAMES.contains(s.get(c))) {
                rests.add(s.subList(c, s.size()));
            }
        }
        return rests;
    }

    private static Want wantInside(List<String> r, Stat stat) {
        String first = r.get(0);
        String name = r.get(r.size() - 1);
        boolean hasChildren = stat.getNumChildren() > 0;
        if (first.equals(LEADER) || first.equals(LEADER_LATCH_1_12)) {
            return leaderWant(r.size(), name, hasChildren);
        }
        if (HANDLE_STORES.contains(first)) {
            return r.size() <= 3 ? Want.CHILDREN : Want.NOTHING;
        }
        if (first.equals(JOBS)) {
            if (r.size() >= 3 && r.get(2).equals(LEADER)) {
                return leaderWant(r.size() - 2, name, hasChildren);
            }
            if (r.size() == 3 && name.equals(CHECKPOINT_ID_COUNTER)) {
                return Want.DATA;
            }
            return r.size() <= 5 && (r.size() < 3 || r.get(2).equals(CHECKPOINTS)) ? Want.CHILDREN : Want.NOTHING;
        }
        if (first.equals(CHECKPOINTS)) {
            return r.size() <= 4 ? Want.CHILDREN : Want.NOTHING;
        }
        if (first.equals(CHECKPOINT_COUNTER_1_12)) {
            return r.size() == 1 ? Want.CHILDREN : r.size() == 2 ? Want.DATA : Want.NOTHING;
        }
        return Want.NOTHING;
    }

    /** @param depth levels from {@code leader} (1) down */
    private static Want leaderWant(int depth, String name, boolean hasChildren) {
        if (hasChildren) {
            return depth <= LEADER_DEPTH ? Want.CHILDREN : Want.NOTHING;
        }
        return name.equals(CONNECTION_INFO) || name.endsWith(LOCK_SUFFIX_1_12) ? Want.DATA : Want.NOTHING;
    }

    private static List<String> visitInside(List<String> r, List<String> names) {
        String first = r.get(0);
        if (first.equals(JOBS) && r.size() == 2) {
            return names.stream().filter(n -> n.equals(CHECKPOINTS) || n.equals(CHECKPOINT_ID_COUNTER)
                    || n.equals(LEADER)).toList();
        }
        boolean checkpointList = first.equals(JOBS) && r.size() == 3 && r.get(2).equals(CHECKPOINTS)
                || first.equals(CHECKPOINTS) && r.size() == 2;
        if (checkpointList) {
            return newest(names);
        }
        return names;
    }

    /** @return the name of the highest checkpoint id among {@code names}, or none */
    static List<String> newest(List<String> names) {
        String best = null;
        long bestId = -1;
        for (String n : names) {
            Long id = FlinkZnodes.checkpointId(n);
            if (id != null && id > bestId) {
                bestId = id;
                best = n;
            }
        }
        return best == null ? List.of() : List.of(best);
    }

    private static boolean startsWith(List<String> path, List<String> prefix) {
        return path.subList(0, prefix.size()).equals(prefix);
    }
}
