package io.zktenantproxy.flinkha.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * Where Flink's HA data lies in the upstream tree for one tenant: {@code <chroot><path.root><cluster-id>/...}.
 * Flink itself only sees {@code <path.root><cluster-id>}; the chroot is the proxy's doing.
 *
 * @param chroot    the tenant's chroot upstream, e.g. {@code /tenants/acme}
 * @param pathRoot  Flink's {@code high-availability.zookeeper.path.root}
 * @param clusterId Flink's {@code high-availability.cluster-id}
 */
public record FlinkZnodes(String chroot, String pathRoot, String clusterId) {

    /** @return the upstream path of Flink's cluster tree */
    public String base() {
        return chroot + pathRoot + clusterId;
    }

    /** @return the parent of the LeaderLatch's ephemeral sequential nodes */
    public String latch() {
        return base() + "/leader/latch";
    }

    /** @return the parent of the submitted jobs' plans ({@code jobgraphs} before Flink 2.0) */
    public String executionPlans() {
        return base() + (EnvironmentInformation.getVersion().startsWith("1.") ? "/jobgraphs" : "/execution-plans");
    }

    /** @return the parent of {@code job}'s completed-checkpoint pointers */
    public String checkpoints(JobID job) {
        return base() + "/jobs/" + job + "/checkpoints";
    }

    /** @return the newest checkpoint whose pointer is in ZooKeeper now */
    public OptionalLong newestCheckpoint(UpstreamTree tree, JobID job) throws Exception {
        return tree.children(checkpoints(job)).stream().mapToLong(Long::parseLong).max();
    }

    /**
     * @return the session of the current leader: the owner of the lowest latch node (Curator's LeaderLatch makes the
     *     lowest sequence number the leader)
     */
    public Optional<Long> leaderSession(UpstreamTree tree) throws Exception {
        List<String> latches = tree.children(latch());
        if (latches.isEmpty()) {
            return Optional.empty();
        }
        String lowest = latches.stream().min((a, b) -> sequence(a).compareTo(sequence(b))).orElseThrow();
        return tree.ephemeralOwner(latch() + "/" + lowest);
    }

    /**
     * @return the session of the JobMaster that leads {@code job}: the owner of its ephemeral
     *     {@code leader/<...job id...>/connection_info}, written once the JobMaster has confirmed its leadership
     */
    public Optional<Long> jobLeaderSession(UpstreamTree tree, JobID job) throws Exception {
        for (String component : tree.children(base() + "/leader")) {
            if (component.contains(job.toString())) {
                return tree.ephemeralOwner(base() + "/leader/" + component + "/connection_info");
            }
        }
        return Optional.empty();
    }

    /**
     * @return whether the dispatcher, resource manager and REST endpoint have all published their addresses from
     *     {@code session}: the JobManager's leadership is settled. Stopping a JobManager while its components are
     *     still taking up leadership can trip Flink into a fatal error that exits the JVM.
     */
    public boolean leadershipSettled(UpstreamTree tree, long session) throws Exception {
        for (String component : List.of("dispatcher", "resource_manager", "rest_server")) {
            String info = base() + "/leader/" + component + "/connection_info";
            if (!tree.ephemeralOwner(info).equals(Optional.of(session))) {
                return false;
            }
        }
        return true;
    }

    /** @return the sessions of every JobManager running for leadership (the owners of the latch nodes) */
    public List<Long> contenderSessions(UpstreamTree tree) throws Exception {
        List<Long> sessions = new ArrayList<>();
        for (String node : tree.children(latch())) {
            tree.ephemeralOwner(latch() + "/" + node).ifPresent(sessions::add);
        }
        return sessions;
    }

    private static String sequence(String latchNode) {
        return latchNode.substring(latchNode.lastIndexOf('-') + 1);
    }
}
