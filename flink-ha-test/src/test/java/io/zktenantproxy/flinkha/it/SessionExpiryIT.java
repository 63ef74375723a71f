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
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy path is cut for longer than the session timeout: the ensemble expires Flink's session (its ephemeral
 * latch node disappears upstream); when a proxy is back on the same address Flink's client learns of the expiry,
 * opens a new session, the JobManager is elected again and restores the job from the newest checkpoint.
 */
class SessionExpiryIT {
    private static final Logger LOG = LoggerFactory.getLogger(SessionExpiryIT.class);

    @TempDir
    Path work;

    @Test
    void newSessionReelectsAndRestores() throws Exception {
        InetSocketAddress address = Proxies.freeAddress();
        List<TenantConfig> tenants = List.of(Proxies.fixedTenant("acme", address));
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString())) {
            ProxyServer proxy = Proxies.start(zk.connectString(), tenants);
            FlinkHa ha = FlinkHa.of(List.of(address), work).withSessionTimeout(Duration.ofSeconds(4));
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(proxy, "acme"));
            FraudJob.Spec run = Runs.spec("session-expiry");

            try (FlinkCluster flink = FlinkCluster.start("jm", ha.toMap(), 1)) {
                JobID job = flink.submit(FraudJob.graph(run));
                Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                long oldSession = znodes.leaderSession(tree).orElseThrow();

                long cutAt = System.currentTimeMillis();
                proxy.close();
                Runs.patiently().until(() -> znodes.leaderSession(tree).isEmpty());
                long expiredAt = System.currentTimeMillis();
                long newest = Runs.newestCheckpoint(tree, znodes, job);
                proxy = Proxies.start(zk.connectString(), tenants);
                long restoredPathAt = System.currentTimeMillis();
                long newSession = Runs.patiently().until(() -> znodes.leaderSession(tree),
                        s -> s.isPresent() && s.get() != oldSession).orElseThrow();
                long electedAt = System.currentTimeMillis();

                flink.awaitFinished(job);
                RunLedger ledger = RunLedger.of(run.runId());
                assertThat(ledger.restores()).as("restores after the new election").isNotEmpty();
                RunLedger.Restore restore = ledger.lastRestore().orElseThrow();
                LOG.info("session expiry: session 0x{} expired {} ms after the cut; new session 0x{} "
                                + "led after {} ms; newest pointer {}, restored {} ({} ms after the proxy returned)",
                        Long.toHexString(oldSession), expiredAt - cutAt, Long.toHexString(newSession),
                        electedAt - restoredPathAt, newest, restore.checkpointId(),
                        restore.atMillis() - restoredPathAt);
                assertThat(restore.checkpointId()).isBetween(newest, newest + 1)
                        .isGreaterThanOrEqualTo(Runs.CHECKPOINTS_BEFORE_FAILURE);
                Verdicts.alertsMatchOracle(run);
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
            } finally {
                proxy.close();
            }
        }
    }
}
