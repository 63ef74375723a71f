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
import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * For contrast, a failure ZooKeeper plays no part in: the only TaskManager dies and a new one joins. The JobManager
 * keeps its leadership and session (same latch node); the job restarts its tasks from the newest checkpoint, which
 * the JobManager still has in memory and in ZooKeeper.
 */
class TaskManagerFailureIT {
    private static final Logger LOG = LoggerFactory.getLogger(TaskManagerFailureIT.class);

    @TempDir
    Path work;

    @Test
    void tasksRestoreNewestCheckpointWithoutLeaderChange() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(Proxies.tenant("acme", 0, List.of())))) {
            FlinkHa ha = FlinkHa.of(List.of(proxy.address("acme")), work);
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(proxy, "acme"));
            FraudJob.Spec run = Runs.spec("tm-failure");

            try (FlinkCluster flink = FlinkCluster.start("jm", ha.toMap(), 1)) {
                JobID job = flink.submit(FraudJob.graph(run));
                Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                long session = znodes.leaderSession(tree).orElseThrow();
                List<String> latch = tree.children(znodes.latch());

                long killedAt = System.currentTimeMillis();
                flink.killTaskManager(0);
                // No slots now, so no new checkpoint: this is the pointer the restart must use.
                long newest = Runs.newestCheckpoint(tree, znodes, job);
                flink.startTaskManager();

                flink.awaitFinished(job);
                RunLedger ledger = RunLedger.of(run.runId());
                assertThat(ledger.restores()).as("restores after the TaskManager failure").isNotEmpty();
                RunLedger.Restore restore = ledger.lastRestore().orElseThrow();
                LOG.info("TaskManager failure: newest pointer {}, restored {} after {} ms; leader session unchanged",
                        newest, restore.checkpointId(), restore.atMillis() - killedAt);
                assertThat(restore.checkpointId()).isBetween(newest, newest + 1)
                        .isGreaterThanOrEqualTo(Runs.CHECKPOINTS_BEFORE_FAILURE);
                assertThat(znodes.leaderSession(tree)).contains(session);
                assertThat(tree.children(znodes.latch())).isEqualTo(latch);
                Verdicts.alertsMatchOracle(run);
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
            }
        }
    }
}
