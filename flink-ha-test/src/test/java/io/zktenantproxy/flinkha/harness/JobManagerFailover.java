package io.zktenantproxy.flinkha.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.RunLedger;
import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JobManager failover scenario, over whatever connects Flink to the proxy (plain TCP in
 * {@code JobManagerFailoverIT}, mutual TLS in {@code TlsJobManagerFailoverIT}): two MiniClusters with identical HA
 * settings are a leader and a hot standby; the leader crashes (HA data left behind); the standby's LeaderLatch node
 * becomes the lowest, its dispatcher recovers the job from the execution plan store and restores the newest
 * checkpoint whose pointer is in ZooKeeper. Ends with the checks of every scenario ({@link Verdicts}) and no quota
 * refusal for the tenant.
 */
public final class JobManagerFailover {
    private static final Logger LOG = LoggerFactory.getLogger(JobManagerFailover.class);

    private JobManagerFailover() {
    }

    /**
     * What the scenario saw.
     *
     * @param job                the job that failed over
     * @param restoredCheckpoint the checkpoint the standby restored
     * @param upstreamPaths      every path of the upstream tree once the job had finished, both clusters still up
     *                           (closing them deletes their HA data)
     */
    public record Result(JobID job, long restoredCheckpoint, List<String> upstreamPaths) {
    }

    /**
     * Runs the scenario for {@code tenant}, served by {@code proxy}, with Flink configured by {@code ha}.
     *
     * @param runName the prefix of the run's id ({@link Runs#spec})
     */
    public static Result run(ProxyServer proxy, String tenant, UpstreamTree tree, FlinkHa ha, String runName)
            throws Exception {
        return run(proxy, tenant, tree, ha, ha.toMap(), runName, (znodes, job) -> { });
    }

    /**
     * What a test checks while both JobManagers are up and the job is running with checkpoints in ZooKeeper: the
     * fullest the HA tree gets (latch nodes of both, leader nodes, execution plan, checkpoints and their locks).
     */
    @FunctionalInterface
    public interface WhileRunning {
        /**
         * @param znodes the tenant's Flink tree upstream
         * @param job    the running job
         */
        void check(FlinkZnodes znodes, JobID job) throws Exception;
    }

    /**
     * Runs the scenario as {@link #run(ProxyServer, String, UpstreamTree, FlinkHa, String)} does, with both clusters
     * configured by {@code settings} ({@code ha.toMap()} plus keys of the test's own) and {@code whileRunning} called
     * once the job has {@link Runs#CHECKPOINTS_BEFORE_FAILURE} checkpoints, before the leader crashes.
     */
    public static Result run(ProxyServer proxy, String tenant, UpstreamTree tree, FlinkHa ha,
                             Map<String, String> settings, String runName, WhileRunning whileRunning)
            throws Exception {
        return run(proxy, tenant, tree, ha, settings, runName, whileRunning, null);
    }

    /**
     * Runs the scenario as {@link #run(ProxyServer, String, UpstreamTree, FlinkHa, String)} does and checks the
     * proxy's Flink HA view along the way ({@link ViewVerdicts}): the leader Flink advertises before and after the
     * failover, the newest checkpoint moving under each leader.
     */
    public static Result run(ProxyServer proxy, String tenant, UpstreamTree tree, FlinkHa ha, String runName,
                             FlinkHaViewProbe view) throws Exception {
        return run(proxy, tenant, tree, ha, ha.toMap(), runName, (znodes, job) -> { }, view);
    }

    private static Result run(ProxyServer proxy, String tenant, UpstreamTree tree, FlinkHa ha,
                              Map<String, String> settings, String runName, WhileRunning whileRunning,
                              FlinkHaViewProbe view) throws Exception {
        String chroot = Proxies.chroot(proxy, tenant);
        FlinkZnodes znodes = ha.znodes(chroot);
        FraudJob.Spec run = Runs.spec(runName);

        try (FlinkCluster leader = FlinkCluster.startOneOfSeveral("jm-1", settings, 1)) {
            long leaderSession = Runs.patiently().until(() -> znodes.leaderSession(tree), s -> s.isPresent())
                    .orElseThrow();
            try (FlinkCluster standby = FlinkCluster.startOneOfSeveral("jm-2", settings, 1)) {
                Runs.patiently().until(() -> tree.children(znodes.latch()).size() == 2);
                long standbySession = znodes.contenderSessions(tree).stream()
                        .filter(s -> s != leaderSession).findFirst().orElseThrow();

                JobID job = leader.submit(FraudJob.graph(run));
                Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                Tenant t = proxy.tenants().stream().filter(x -> x.name().equals(tenant)).findFirst().orElseThrow();
                // what Flink HA keeps with two JobManagers and one running job, against the default quotas
                LOG.info("Flink HA footprint: {} (quota {} znodes, {} bytes); watches: {} in all, {} in the "
                                + "busiest session (quota {})", t.quota().view(), t.quotaLimits().znodes(),
                        t.quotaLimits().bytes(), t.meters().quota().watchesHeld(),
                        t.meters().quota().watchesHeldMax(), t.quotaLimits().watchesPerSession());
                whileRunning.check(znodes, job);
                AdvertisedLeader before = null;
                if (view != null) {
                    // jm-1 leads, as its own leader retrieval reads it from ZooKeeper; its checkpoints advance
                    ViewVerdicts.leaderIs(view, chroot, leaderSession, leader::dispatcherLeader);
                    before = leader.dispatcherLeader();
                    ViewVerdicts.checkpointMoves(view, chroot, tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE,
                            leaderSession);
                }

                // Crash in the background: the standby may lead well before the old MiniCluster is fully down.
                long crashedAt = System.currentTimeMillis();
                CompletableFuture<Void> crash = leader.crashAsync();
                long newest = Runs.awaitLeaderThenNewestCheckpoint(tree, znodes, job, standbySession);
                long electedAt = System.currentTimeMillis();
                Runs.patiently().until(() -> znodes.jobLeaderSession(tree, job).orElse(0L) == standbySession);
                long jobLeaderAt = System.currentTimeMillis();
                if (view != null) {
                    viewAfterFailover(view, chroot, tree, znodes, job, standby, standbySession, before, newest);
                }
                crash.get(2, TimeUnit.MINUTES);

                standby.awaitFinished(job);
                RunLedger.Restore restore = RunLedger.of(run.runId()).lastRestore().orElseThrow(
                        () -> new AssertionError("the job never restored a checkpoint"));
                LOG.info("JobManager failover: standby elected {} ms after the crash, its JobMaster leads the job "
                                + "after {} ms, tasks restored after {} ms; newest pointer at failover {}, "
                                + "restored {}", electedAt - crashedAt, jobLeaderAt - crashedAt,
                        restore.atMillis() - crashedAt, newest, restore.checkpointId());
                assertThat(restore.checkpointId()).isBetween(newest, newest + 1)
                        .isGreaterThanOrEqualTo(Runs.CHECKPOINTS_BEFORE_FAILURE);
                Verdicts.alertsMatchOracle(run);
                List<String> upstream = tree.paths("/");
                Verdicts.flinkTreesOnlyUnderChroots(upstream, List.of(znodes));
                for (QuotaKind kind : QuotaKind.values()) {
                    assertThat(t.meters().quota().refusals(kind)).as("refusals: " + kind).isZero();
                }
                return new Result(job, restore.checkpointId(), upstream);
            }
        }
    }

    /**
     * The view once the standby's JobMaster leads the job: the standby's dispatcher as its leader retrieval reads it,
     * another address and leader session id than before, the crashed JobManager gone from the latch, the job's
     * leader znode owned by the standby's session, and checkpoints advancing again under it.
     */
    private static void viewAfterFailover(FlinkHaViewProbe view, String chroot, UpstreamTree tree, FlinkZnodes znodes,
                                          JobID job, FlinkCluster standby, long standbySession,
                                          AdvertisedLeader before, long newestAtFailover) throws Exception {
        var cluster = ViewVerdicts.leaderIs(view, chroot, standbySession, standby::dispatcherLeader);
        AdvertisedLeader after = standby.dispatcherLeader();
        assertThat(after.address()).as("dispatcher address after the failover").isNotEqualTo(before.address());
        assertThat(after.sessionId()).as("leader session id after the failover").isNotEqualTo(before.sessionId());
        Runs.patiently().until(() -> ViewVerdicts.latchContenders(view.cluster(chroot)) == 1);
        var jobLeader = cluster.leaders().stream().filter(l -> job.toString().equals(l.jobId())).findFirst()
                .orElseThrow(() -> new AssertionError("no JobMaster leader for " + job + " in " + cluster));
        assertThat(jobLeader.infoSession()).as("JobMaster leader znode owner")
                .isEqualTo(FlinkHaViewProbe.session(standbySession));
        assertThat(jobLeader.info().sessionId()).as("JobMaster leader session id").isEqualTo(after.sessionId());
        ViewVerdicts.checkpointMoves(view, chroot, tree, znodes, job, newestAtFailover, standbySession);
    }
}
