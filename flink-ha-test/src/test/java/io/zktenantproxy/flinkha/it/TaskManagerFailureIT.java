package io.zktenantproxy.flinkha.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.harness.DirectAccess;
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
import java.util.ArrayList;
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
 *
 * <p>While no TaskManager runs, no checkpoint comes or goes: the HA tree holds still, and the test uses that moment
 * to try all of it from outside the proxy (tenant identities on the ensemble, SECURITY.md): a client straight on
 * the ensemble, without credentials or with a guessed digest, is refused everything.
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
                long checkedIn = assertHaTreeClosedToDirectClients(zk, tree, znodes, job, latch, newest);
                flink.startTaskManager();

                flink.awaitFinished(job);
                RunLedger ledger = RunLedger.of(run.runId());
                assertThat(ledger.restores()).as("restores after the TaskManager failure").isNotEmpty();
                RunLedger.Restore restore = ledger.lastRestore().orElseThrow();
                LOG.info("TaskManager failure: newest pointer {}, restored {} after {} ms (of which {} ms checking the "
                                + "HA tree from outside, before the new TaskManager started); leader session unchanged",
                        newest, restore.checkpointId(), restore.atMillis() - killedAt, checkedIn);
                assertThat(restore.checkpointId()).isBetween(newest, newest + 1)
                        .isGreaterThanOrEqualTo(Runs.CHECKPOINTS_BEFORE_FAILURE);
                assertThat(znodes.leaderSession(tree)).contains(session);
                assertThat(tree.children(znodes.latch())).isEqualTo(latch);
                Verdicts.alertsMatchOracle(run);
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
            }
        }
    }

    /**
     * Walks the tenant's whole tree upstream as the platform (the chroot, Flink's HA tree inside it) and has clients
     * straight on the ensemble, one without credentials and one with a guessed digest for the tenant's user, try every
     * znode: every read, watch, child listing, write and create is {@code NOAUTH}, and so is listing
     * {@code /tenants}. The leader, execution plan and checkpoint znodes must be among those refused, so the check
     * cannot pass on an empty or half-read tree.
     *
     * @return how long the check took, in milliseconds
     */
    private static long assertHaTreeClosedToDirectClients(ZooKeeperEnsemble zk, UpstreamTree tree, FlinkZnodes znodes,
                                                          JobID job, List<String> latch, long newestCheckpoint)
            throws Exception {
        long startedAt = System.currentTimeMillis();
        List<String> paths = tree.paths(znodes.chroot());
        String checkpoint = tree.children(znodes.checkpoints(job)).stream()
                .filter(c -> Long.parseLong(c) == newestCheckpoint).findFirst()
                .orElseThrow(() -> new AssertionError("no znode for checkpoint " + newestCheckpoint + " in " + paths));
        String jobLeader = tree.children(znodes.base() + "/leader").stream()
                .filter(c -> c.contains(job.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("no leader znode of job " + job + " in " + paths));
        List<String> mustBeRefused = new ArrayList<>();
        latch.forEach(node -> mustBeRefused.add(znodes.latch() + "/" + node));
        mustBeRefused.add(znodes.base() + "/leader/dispatcher/connection_info");
        mustBeRefused.add(znodes.base() + "/leader/" + jobLeader + "/connection_info");
        mustBeRefused.add(znodes.executionPlans() + "/" + job);
        mustBeRefused.add(znodes.checkpoints(job) + "/" + checkpoint);
        mustBeRefused.add(znodes.base() + "/jobs/" + job + "/checkpoint_id_counter");

        List<String> refused;
        try (DirectAccess outsiders = DirectAccess.open(zk.connectString(), "acme")) {
            outsiders.assertCannotList("/tenants");
            refused = outsiders.assertRefusedEverything(paths, tree);
        }
        assertThat(refused).as("znodes refused every call from outside").contains(znodes.chroot(), znodes.base())
                .containsAll(mustBeRefused);
        long took = System.currentTimeMillis() - startedAt;
        LOG.info("direct clients on the ensemble: NOAUTH on every call on {} of the tenant's {} znodes ({} deleted "
                + "meanwhile) and on listing /tenants, in {} ms", refused.size(), paths.size(),
                paths.size() - refused.size(), took);
        return took;
    }
}
