package io.zktenantproxy.flinkha.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.proxy.flink.CheckpointPointer;
import io.zktenantproxy.proxy.flink.ComponentLeader;
import io.zktenantproxy.proxy.flink.FlinkCluster;
import io.zktenantproxy.proxy.flink.FlinkJob;
import io.zktenantproxy.proxy.flink.FlinkView;
import io.zktenantproxy.proxy.flink.HaLock;
import io.zktenantproxy.proxy.flink.LeaderInfo;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;

/**
 * What the proxy's Flink HA view ({@link FlinkHaViewProbe}) must show while a scenario runs, checked against what
 * Flink itself advertises or what the scenario knows (the ZooKeeper session of each JobManager, the checkpoints in
 * ZooKeeper, the crash it caused). Each check waits (the view is read while Flink moves) and then asserts.
 */
public final class ViewVerdicts {
    /** The components of one JobManager; since Flink 1.15 they share one leader latch, so one leader session id. */
    private static final List<String> COMPONENTS = List.of("dispatcher", "resource_manager", "rest_server");

    private ViewVerdicts() {
    }

    /**
     * Waits until the view shows the JobManager of ZooKeeper session {@code session} leading, its dispatcher at the
     * address and with the leader session id that Flink advertises ({@code advertised}, asked again on every poll
     * since Flink's own retrieval moves too), then checks the other components: same leader session id, leader
     * znodes owned by that session.
     *
     * @return the cluster as the matching scan showed it
     */
    public static FlinkCluster leaderIs(FlinkHaViewProbe probe, String chroot, long session,
                                        Callable<AdvertisedLeader> advertised) {
        FlinkCluster cluster = awaitLeader(probe, chroot, session, c -> {
            AdvertisedLeader expected = advertised.call();
            return FlinkHaViewProbe.leader(c, "dispatcher").map(d -> d.address().equals(expected.address())
                    && expected.sessionId().equals(d.sessionId())).orElse(false);
        });
        componentsAgree(cluster, session);
        return cluster;
    }

    /**
     * Waits until the view shows the JobManager process of ZooKeeper session {@code session} leading, its REST
     * endpoint at {@code restPort} (the port the process was started with, on loopback), then checks that all its
     * components show the same leader session id and are owned by that session.
     *
     * @return the cluster as the matching scan showed it
     */
    public static FlinkCluster restLeaderIs(FlinkHaViewProbe probe, String chroot, long session, int restPort) {
        FlinkCluster cluster = awaitLeader(probe, chroot, session, c -> FlinkHaViewProbe.leader(c, "rest_server")
                .map(r -> URI.create(r.address()).getPort() == restPort).orElse(false));
        componentsAgree(cluster, session);
        return cluster;
    }

    /** A condition on one scan of a cluster. */
    @FunctionalInterface
    private interface ClusterCondition {
        boolean test(FlinkCluster cluster) throws Exception;
    }

    private static FlinkCluster awaitLeader(FlinkHaViewProbe probe, String chroot, long session,
                                            ClusterCondition advertised) {
        String owner = FlinkHaViewProbe.session(session);
        String what = "the view shows session " + owner + " leading as Flink advertises it";
        return Runs.patiently().alias(what).until(() -> {
            FlinkCluster c = probe.cluster(chroot);
            return c.leaderPresent() && owner.equals(holderSession(c)) && advertised.test(c) ? c : null;
        }, Objects::nonNull);
    }

    /** Every component's leader znode: known, owned by {@code session}, with the dispatcher's leader session id. */
    private static void componentsAgree(FlinkCluster cluster, long session) {
        String owner = FlinkHaViewProbe.session(session);
        String sessionId = FlinkHaViewProbe.leader(cluster, "dispatcher").orElseThrow().sessionId();
        assertThat(sessionId).as("dispatcher leader session id").isNotNull();
        for (String component : COMPONENTS) {
            ComponentLeader leader = cluster.leaders().stream().filter(l -> l.component().equals(component))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + component + " leader in " + cluster));
            assertThat(leader.info()).as(component + " leader information").isNotNull()
                    .extracting(LeaderInfo::status).isEqualTo(LeaderInfo.Status.KNOWN);
            assertThat(leader.info().sessionId()).as(component + " leader session id").isEqualTo(sessionId);
            assertThat(leader.infoSession()).as(component + " connection_info owner").isEqualTo(owner);
        }
        assertThat(FlinkHaViewProbe.leader(cluster, "rest_server").orElseThrow().address())
                .as("REST leader address").startsWith("http");
        assertThat(cluster.layout()).as("layout").isEqualTo(FlinkHaViewProbe.expectedLayout());
    }

    /** @return the ZooKeeper session holding the cluster's leader latch, as the view shows it; null if none */
    public static String holderSession(FlinkCluster cluster) {
        return cluster.leaders().stream().filter(l -> l.latch() != null).map(l -> l.latch().holderSession())
                .filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** @return how many JobManagers the view shows in the cluster's leader latch */
    public static int latchContenders(FlinkCluster cluster) {
        return cluster.leaders().stream().filter(l -> l.latch() != null).mapToInt(l -> l.latch().contenders())
                .findFirst().orElse(0);
    }

    /**
     * Waits until the view shows a newest checkpoint of {@code job} of at least {@code atLeast}, then until a later
     * scan shows a higher one (the id moves while the job runs), each at least what ZooKeeper held just before and
     * locked by the leader's session {@code session}.
     *
     * @return the later newest checkpoint id
     */
    public static long checkpointMoves(FlinkHaViewProbe probe, String chroot, UpstreamTree tree, FlinkZnodes znodes,
                                       JobID job, long atLeast, long session) {
        long first = newestWithTree(probe, chroot, tree, znodes, job, atLeast, session);
        return newestWithTree(probe, chroot, tree, znodes, job, first + 1, session);
    }

    private static long newestWithTree(FlinkHaViewProbe probe, String chroot, UpstreamTree tree, FlinkZnodes znodes,
                                       JobID job, long atLeast, long session) {
        String owner = FlinkHaViewProbe.session(session);
        CheckpointPointer newest = Runs.patiently().alias("the view shows checkpoint " + atLeast + " or newer, "
                + "locked by " + owner).until(() -> {
            long inZooKeeper = Runs.newestCheckpoint(tree, znodes, job);
            CheckpointPointer p = newest(probe.cluster(chroot), job);
            // the view's scan came after the tree's read: it shows that checkpoint or a newer one; a new leader
            // locks the pointers it recovers, so the newest is always locked by the leader once it runs the job
            return p != null && p.id() >= atLeast && p.id() >= inZooKeeper
                    && p.locks().stream().map(HaLock::session).anyMatch(owner::equals) ? p : null;
        }, Objects::nonNull);
        return newest.id();
    }

    /** @return the newest checkpoint pointer of {@code job} in the view, or null if there is none */
    public static CheckpointPointer newest(FlinkCluster cluster, JobID job) {
        return FlinkHaViewProbe.job(cluster, job).map(FlinkJob::newestCheckpoint).orElse(null);
    }

    /**
     * A checkpoint age the view showed: of checkpoint {@code id}, {@code seconds} old at the scan.
     *
     * @param id      the newest checkpoint id at the scan
     * @param seconds {@link FlinkJob#checkpointAgeSeconds} at the scan
     * @param holder  the session holding the leader latch at the scan, {@code 0x...}; null if none
     */
    public record Age(long id, long seconds, String holder) {
    }

    /**
     * Waits until the view shows {@code job}'s checkpoint age at {@code atLeast} or more: checkpoints have stopped.
     *
     * @return the newest checkpoint and its age at that scan
     */
    public static Age checkpointAgeReaches(FlinkHaViewProbe probe, String chroot, JobID job, Duration atLeast) {
        return Runs.patiently().alias("the view shows a checkpoint age of " + atLeast.toSeconds() + " s or more")
                .until(() -> age(probe.scan(chroot), job), a -> a != null && a.seconds() >= atLeast.toSeconds());
    }

    /**
     * Waits until the view shows a checkpoint of {@code job} newer than {@code stalled} with an age of at most
     * {@code atMost}: checkpoints have resumed and the age fell back.
     *
     * @return the newest checkpoint and its age at that scan
     */
    public static Age checkpointAgeFallsBelow(FlinkHaViewProbe probe, String chroot, JobID job, Age stalled,
                                              Duration atMost) {
        Age resumed = Runs.patiently().alias("the view shows a checkpoint after " + stalled.id() + " at most "
                + atMost.toSeconds() + " s old").until(() -> age(probe.scan(chroot), job), a -> a != null
                && a.id() > stalled.id() && a.seconds() <= atMost.toSeconds());
        assertThat(resumed.seconds()).as("checkpoint age after checkpoints resumed, s").isLessThan(stalled.seconds());
        return resumed;
    }

    /**
     * Waits until the view calls the tenant's cluster orphaned. The probe's scanner saw it alive before (the caller
     * scanned it then), so it must count the {@code threshold} from its first scan that found the cluster dormant,
     * not from the cluster's last write (a checkpoint before the crash, a session timeout earlier).
     *
     * @return the orphaned cluster
     */
    public static FlinkCluster orphanedAfter(FlinkHaViewProbe probe, String chroot, Duration threshold) {
        long[] firstDormant = {-1};
        long[] orphanedAt = {-1};
        FlinkCluster orphan = Runs.patiently().alias("the view calls the cluster orphaned").until(() -> {
            FlinkView view = probe.scan(chroot);
            FlinkCluster c = FlinkHaViewProbe.cluster(view, FlinkHa.CLUSTER_ID).orElseThrow();
            if (c.dormant() && firstDormant[0] < 0) {
                firstDormant[0] = view.scannedAt();
            }
            orphanedAt[0] = view.scannedAt();
            return c;
        }, FlinkCluster::orphaned);
        assertThat(orphan.dormantSince()).as("dormant since: the first scan that found the cluster dormant")
                .isEqualTo(firstDormant[0]);
        assertThat(orphanedAt[0] - firstDormant[0]).as("ms from the first dormant scan to the orphaned one")
                .isGreaterThanOrEqualTo(threshold.toMillis());
        assertThat(orphan.leaderPresent()).as("leader present in an orphan").isFalse();
        assertThat(orphan.sessions()).as("live sessions in an orphan").isZero();
        return orphan;
    }

    private static Age age(FlinkView view, JobID job) {
        FlinkCluster cluster = FlinkHaViewProbe.cluster(view, FlinkHa.CLUSTER_ID).orElse(null);
        CheckpointPointer newest = cluster == null ? null : newest(cluster, job);
        if (newest == null) {
            return null;
        }
        FlinkJob j = FlinkHaViewProbe.job(cluster, job).orElseThrow();
        return new Age(newest.id(), j.checkpointAgeSeconds(view.scannedAt()), holderSession(cluster));
    }
}
