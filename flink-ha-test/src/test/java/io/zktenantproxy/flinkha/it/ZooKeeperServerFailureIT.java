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
import java.util.List;
import java.util.Optional;
import org.apache.curator.test.InstanceSpec;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ZooKeeper server fails behind the proxy: a 3-server ensemble, Flink's ensemble tracker at its default (on), the
 * server holding Flink's session stopped mid-run. The proxy drops the connection, Flink reconnects to the proxy,
 * the proxy connects to a surviving server and the session resumes there. Then the proxy is stopped: had the tracker
 * given Flink the servers' real addresses (as the ensemble's own {@code /zookeeper/config} would; the proxy answers
 * that read itself, with its own address), Flink would stay connected; instead its session expires.
 */
class ZooKeeperServerFailureIT {
    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperServerFailureIT.class);

    @TempDir
    Path work;

    @Test
    void sessionMovesToSurvivingServerAndFlinkNeverLeavesProxy() throws Exception {
        InetSocketAddress address = Proxies.freeAddress();
        List<TenantConfig> tenants = List.of(Proxies.fixedTenant("acme", address));
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.cluster(3, 1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString())) {
            ProxyServer proxy = Proxies.start(zk.connectString(), tenants);
            FlinkHa ha = FlinkHa.of(List.of(address), work);
            assertThat(ha.toMap()).doesNotContainKey("high-availability.zookeeper.client.ensemble-tracker");
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(proxy, "acme"));
            FraudJob.Spec run = Runs.spec("zk-server-failure");

            try (FlinkCluster flink = FlinkCluster.start("jm", ha.toMap(), 1)) {
                JobID job = flink.submit(FraudJob.graph(run));
                Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                long session = znodes.leaderSession(tree).orElseThrow();
                InstanceSpec holding = Runs.patiently().until(() -> zk.serverHolding(session), Optional::isPresent)
                        .orElseThrow();

                long killedAt = System.currentTimeMillis();
                zk.kill(holding);
                InstanceSpec now = Runs.patiently().until(() -> zk.serverHolding(session),
                        s -> s.isPresent() && !s.get().equals(holding)).orElseThrow();
                long movedAt = System.currentTimeMillis();

                flink.awaitFinished(job);
                LOG.info("ZooKeeper server failure: session 0x{} moved from server {} to {} after {} ms; "
                                + "job restores: {}", Long.toHexString(session), holding.getServerId(),
                        now.getServerId(), movedAt - killedAt, RunLedger.of(run.runId()).restores());
                Verdicts.alertsMatchOracle(run);
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
                long flinkSession = znodes.leaderSession(tree).orElseThrow();

                // Without the proxy Flink has no way to ZooKeeper: its session expires, and no server keeps a
                // connection other than this test's own.
                proxy.close();
                Runs.patiently().until(() -> znodes.leaderSession(tree).isEmpty());
                assertThat(zk.serverHolding(flinkSession)).isEmpty();
                List<InstanceSpec> alive = zk.servers().stream().filter(s -> !s.equals(holding)).toList();
                Runs.patiently().until(() -> connections(zk, alive) == 1);

                // The proxy back on its address, Flink reconnects (a new session) and can clean up when closed.
                proxy = Proxies.start(zk.connectString(), tenants);
                long newSession = Runs.patiently().until(() -> znodes.leaderSession(tree), Optional::isPresent)
                        .orElseThrow();
                Runs.patiently().until(() -> znodes.leadershipSettled(tree, newSession));
            } finally {
                proxy.close();
            }
        }
    }

    private static int connections(ZooKeeperEnsemble zk, List<InstanceSpec> servers) throws Exception {
        int total = 0;
        for (InstanceSpec s : servers) {
            total += zk.connections(s);
        }
        return total;
    }
}
