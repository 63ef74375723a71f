package io.zktenantproxy.flinkha.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.harness.FlinkCluster;
import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkZnodes;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.Runs;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.Verdicts;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.RunLedger;
import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JobManager failover through the proxy: two MiniClusters with identical HA settings are a leader and a hot
 * standby; the leader crashes (HA data left behind); the standby's LeaderLatch node becomes the lowest, its
 * dispatcher recovers the job from the execution plan store and restores the newest checkpoint whose pointer is in
 * ZooKeeper.
 */
class JobManagerFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(JobManagerFailoverIT.class);

    @TempDir
    Path work;

    @Test
    void standbyTakesOverAndRestoresNewestCheckpoint() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(Proxies.tenant("acme", 0, List.of())))) {
            FlinkHa ha = FlinkHa.of(List.of(proxy.address("acme")), work);
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(proxy, "acme"));
            FraudJob.Spec run = Runs.spec("jm-failover");

            try (FlinkCluster leader = FlinkCluster.startOneOfSeveral("jm-1", ha.toMap(), 1)) {
                long leaderSession = Runs.patiently().until(() -> znodes.leaderSession(tree), s -> s.isPresent())
                        .orElseThrow();
                try (FlinkCluster standby = FlinkCluster.startOneOfSeveral("jm-2", ha.toMap(), 1)) {
                    Runs.patiently().until(() -> tree.children(znodes.latch()).size() == 2);
                    long standbySession = znodes.contenderSessions(tree).stream()
                        .filter(s -> s != leaderSession).findFirst().orElseThrow();

                    JobID job = leader.submit(FraudJob.graph(run));
                    Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                    Tenant acme = proxy.tenants().get(0);
                    // what Flink HA keeps with two JobManagers and one running job, against the default quotas
                    LOG.info("Flink HA footprint: {} (quota {} znodes, {} bytes); watches: {} in all, {} in the "
                                    + "busiest session (quota {})", acme.quota().view(), acme.quotaLimits().znodes(),
                            acme.quotaLimits().bytes(), acme.meters().quota().watchesHeld(), acme.meters().quota().watchesHeldMax(),
                            acme.quotaLimits().watchesPerSession());

                    // Crash in the background: the standby may lead well before the old MiniCluster is fully down.
                    long crashedAt = System.currentTimeMillis();
                    CompletableFuture<Void> crash = leader.crashAsync();
                    long newest = Runs.awaitLeaderThenNewestCheckpoint(tree, znodes, job, standbySession);
                    long electedAt = System.currentTimeMillis();
                    Runs.patiently().until(() -> znodes.jobLeaderSession(tree, job).orElse(0L) == standbySession);
                    long jobLeaderAt = System.currentTimeMillis();
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
                    Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
                    for (QuotaKind kind : QuotaKind.values()) {
                        assertThat(acme.meters().quota().refusals(kind)).as("refusals: " + kind).isZero();
                    }
                }
            }
        }
    }


}
