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
import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tenants run the same job at the same time with the same {@code path.root} and {@code cluster-id}, each through
 * its own proxy listener. Without the chroots they would share one leader latch and one job store; with them, each
 * is alone in its tree.
 */
class TwoTenantsIT {
    @TempDir
    Path work;

    @Test
    void sameClusterIdTwoTenantsNoCrossTalk() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(
                     Proxies.tenant("acme", 0, List.of()), Proxies.tenant("globex", 0, List.of())))) {
            FlinkHa acmeHa = FlinkHa.of(List.of(proxy.address("acme")), work.resolve("acme"));
            FlinkHa globexHa = FlinkHa.of(List.of(proxy.address("globex")), work.resolve("globex"));
            FlinkZnodes acme = acmeHa.znodes(Proxies.chroot(proxy, "acme"));
            FlinkZnodes globex = globexHa.znodes(Proxies.chroot(proxy, "globex"));
            FraudJob.Spec acmeRun = Runs.spec("acme");
            FraudJob.Spec globexRun = Runs.spec("globex");

            try (FlinkCluster acmeFlink = FlinkCluster.startOneOfSeveral("acme", acmeHa.toMap(), 1);
                 FlinkCluster globexFlink = FlinkCluster.startOneOfSeveral("globex", globexHa.toMap(), 1)) {
                JobID acmeJob = acmeFlink.submit(FraudJob.graph(acmeRun));
                JobID globexJob = globexFlink.submit(FraudJob.graph(globexRun));
                Runs.awaitCheckpoint(tree, acme, acmeJob, 2);
                Runs.awaitCheckpoint(tree, globex, globexJob, 2);

                // Both running: each tenant's tree holds its own job only, and each leader latch one contender.
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(acme, globex));
                assertThat(tree.children(acme.executionPlans())).containsExactly(acmeJob.toString());
                assertThat(tree.children(globex.executionPlans())).containsExactly(globexJob.toString());
                assertThat(tree.children(acme.base() + "/jobs")).containsExactly(acmeJob.toString());
                assertThat(tree.children(globex.base() + "/jobs")).containsExactly(globexJob.toString());
                assertThat(tree.children(acme.latch())).hasSize(1);
                assertThat(tree.children(globex.latch())).hasSize(1);
                assertThat(acme.leaderSession(tree)).isNotEqualTo(globex.leaderSession(tree));

                acmeFlink.awaitFinished(acmeJob);
                globexFlink.awaitFinished(globexJob);
                Verdicts.alertsMatchOracle(acmeRun);
                Verdicts.alertsMatchOracle(globexRun);
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(acme, globex));

                // A clean shutdown deletes the cluster's HA tree: acme's, and nothing of globex's.
                acmeFlink.stop();
                Runs.patiently().until(() -> tree.stat(acme.base()).isEmpty());
                assertThat(tree.children(globex.latch())).hasSize(1);
            }
        }
    }
}
