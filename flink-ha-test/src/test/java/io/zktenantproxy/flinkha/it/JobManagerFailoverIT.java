package io.zktenantproxy.flinkha.it;

import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkHaViewProbe;
import io.zktenantproxy.flinkha.harness.JobManagerFailover;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JobManager failover through the proxy, over plain TCP: a standby JobManager takes over and the job resumes from
 * its newest checkpoint ({@link JobManagerFailover}). {@code TlsJobManagerFailoverIT} runs the same over mutual TLS.
 * Here the proxy's Flink HA view is checked along the way: the leader Flink advertises before and after the
 * failover, and the newest checkpoint moving under each ({@link FlinkHaViewProbe}).
 */
class JobManagerFailoverIT {
    @TempDir
    Path work;

    @Test
    void standbyTakesOverAndRestoresNewestCheckpoint() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(Proxies.tenant("acme", 0, List.of())));
             FlinkHaViewProbe view = FlinkHaViewProbe.of(zk.connectString())) {
            JobManagerFailover.run(proxy, "acme", tree, FlinkHa.of(List.of(proxy.address("acme")), work),
                    "jm-failover", view);
        }
    }
}
