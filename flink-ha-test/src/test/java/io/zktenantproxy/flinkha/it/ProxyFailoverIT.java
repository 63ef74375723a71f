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
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxy instance dies: Flink's quorum names two instances serving the same tenant, the one Flink's ZooKeeper
 * client is connected to is closed mid-run, and the client resumes the same session through the other. With
 * {@code tolerate-suspended-connections} the JobManager keeps its leadership through the reconnect.
 */
class ProxyFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyFailoverIT.class);

    @TempDir
    Path work;

    @Test
    void clientResumesSessionThroughOtherInstance() throws Exception {
        // Both instances advertise both addresses: Curator's ensemble tracker reads them from /zookeeper/config
        // and keeps Flink's connect string to exactly these two.
        List<InetSocketAddress> both = List.of(Proxies.freeAddress(), Proxies.freeAddress());
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer one = Proxies.start(zk.connectString(),
                     List.of(Proxies.tenant("acme", both.get(0).getPort(), both)));
             ProxyServer two = Proxies.start(zk.connectString(),
                     List.of(Proxies.tenant("acme", both.get(1).getPort(), both)))) {
            FlinkHa ha = FlinkHa.of(both, work);
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(one, "acme"));
            FraudJob.Spec run = Runs.spec("proxy-failover");

            try (FlinkCluster flink = FlinkCluster.start("jm", ha.toMap(), 1)) {
                JobID job = flink.submit(FraudJob.graph(run));
                Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                long session = znodes.leaderSession(tree).orElseThrow();
                String latchNode = tree.children(znodes.latch()).get(0);
                // One MiniCluster, one Curator client, one connection: on exactly one of the two instances.
                Runs.patiently().until(() -> Proxies.connections(one, "acme") + Proxies.connections(two, "acme") == 1);
                ProxyServer inUse = Proxies.connections(one, "acme") == 1 ? one : two;
                ProxyServer other = inUse == one ? two : one;

                long killedAt = System.currentTimeMillis();
                inUse.close();
                Runs.patiently().until(() -> Proxies.connections(other, "acme") == 1);
                long movedAt = System.currentTimeMillis();
                long checkpointAfter = Runs.awaitCheckpoint(tree, znodes, job,
                        Runs.newestCheckpoint(tree, znodes, job) + 1);
                long checkpointedAt = System.currentTimeMillis();

                flink.awaitFinished(job);
                LOG.info("proxy failover: reconnected through the other instance after {} ms, next checkpoint {} "
                                + "after {} ms; job restores: {}", movedAt - killedAt, checkpointAfter,
                        checkpointedAt - killedAt, RunLedger.of(run.runId()).restores());
                // Same session, same latch node: the connection moved, the session and the leadership did not.
                assertThat(znodes.leaderSession(tree)).contains(session);
                assertThat(tree.children(znodes.latch())).containsExactly(latchNode);
                Verdicts.alertsMatchOracle(run);
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
            }
        }
    }
}
