package io.zktenantproxy.proxy.flink;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One Flink cluster's HA state: the znodes under {@code <root>/<cluster-id>} in the tenant's tree.
 *
 * <p>Orphans: a cluster is <em>dormant</em> when the scan read all of it and found no contender in any leader latch
 * and no ephemeral znode at all (leader information and locks are ephemeral, so every live JobManager session leaves
 * at least one). ZooKeeper keeps no time of a deletion, so how long a cluster has been dormant is bounded from the
 * znodes that remain: {@link #dormantSince} is the later of {@link #lastWrite} (the newest ctime or mtime among the
 * cluster's znodes read: a checkpoint commit, a counter update, a plan) and, when the scanner had seen the cluster
 * alive in an earlier scan, the time of the first scan that found it dormant ({@link FlinkHaScanner} remembers that
 * across scans; a one-shot scanner, such as the CLI's, has only {@link #lastWrite}). It is {@link #orphaned} once
 * dormant for at least the threshold asked for, and only in a complete scan. So a cluster that stopped writing long
 * before it lost its last session is orphaned at once for a scanner that never saw it alive, while a scanner that
 * watched it die waits the threshold from then.
 *
 * @param path         the cluster's tenant path, e.g. {@code /flink/default}
 * @param root         the HA root it was found under ({@code high-availability.zookeeper.path.root}), e.g.
 *                     {@code /flink}
 * @param clusterId    {@code high-availability.cluster-id}, the last name of {@link #path}, e.g. {@code default}
 * @param layout       which Flink wrote it; {@link HaLayout#UNKNOWN} clusters carry only {@link #raw}
 * @param leaderPresent whether the cluster's leader latch (1.15+: {@code leader/latch}; before, the dispatcher's or
 *                     any component's) has a holder
 * @param leaders      the leader of each component found, components first, then jobs, by name
 * @param jobs         the jobs found, by id
 * @param applications the applications found (Flink 2.3), by id
 * @param sessions     distinct ZooKeeper sessions owning an ephemeral znode read in this cluster (latch participants,
 *                     leader information, locks)
 * @param lastWrite    the newest ctime or mtime among the cluster's znodes read, milliseconds since the epoch
 * @param dormantSince the latest time it is known dormant from, milliseconds since the epoch; null unless dormant
 * @param orphaned     whether dormant for at least the threshold
 * @param raw          tenant paths below the cluster that the view does not interpret (all of its children for an
 *                     {@link HaLayout#UNKNOWN} layout)
 * @param problems     znodes that could not be read, one line each: {@code "<path>: <reason>"}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FlinkCluster(String path, String root, String clusterId, HaLayout layout, boolean leaderPresent,
                           List<ComponentLeader> leaders, List<FlinkJob> jobs, List<FlinkApplication> applications,
                           int sessions, Long lastWrite, Long dormantSince, boolean orphaned, List<String> raw,
                           List<String> problems) {

    /** @return whether no session is live in the cluster and nobody leads it */
    public boolean dormant() {
        return dormantSince != null;
    }
}
