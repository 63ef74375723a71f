package io.zktenantproxy.flinkha.harness;

import java.util.concurrent.CompletableFuture;
import org.apache.flink.runtime.dispatcher.DispatcherGateway;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * A {@link MiniCluster} that lets the test ask whom its own leader retrieval takes for the dispatcher leader: the
 * gateway it holds was connected to the address and fenced with the leader session id that Flink read from
 * ZooKeeper, so it is what Flink itself advertises, independently of the proxy's view of the same znode.
 */
class LeaderAwareMiniCluster extends MiniCluster {
    LeaderAwareMiniCluster(MiniClusterConfiguration configuration) {
        super(configuration);
    }

    /** @return the gateway of the dispatcher leader this cluster currently retrieves (protected in MiniCluster) */
    CompletableFuture<DispatcherGateway> dispatcherGateway() {
        return getDispatcherGatewayFuture();
    }
}
