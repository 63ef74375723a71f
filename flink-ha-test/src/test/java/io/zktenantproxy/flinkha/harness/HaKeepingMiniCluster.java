package io.zktenantproxy.flinkha.harness;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.highavailability.HighAvailabilityServices;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash for Flink lines whose {@link MiniCluster} has no {@code closeAsyncWithoutCleaningHighAvailabilityData()}
 * (1.17 and older; 1.20 and 2.x have it and never use this class): {@link MiniCluster#closeAsync()} ends with
 * {@code HighAvailabilityServices.closeAndCleanupAllData()}, which deletes the cluster's ZooKeeper tree and HA
 * storage, so a standby would find no job to recover. Here the HA services are wrapped so that, once
 * {@link #crashAsync()} has begun, that call only closes them ({@code close()}), as a killed process would leave
 * things. The wrapper is a dynamic proxy because the interface differs from one Flink line to the next.
 */
@SuppressWarnings("try") // MiniCluster.close() may throw InterruptedException: not ours to change
final class HaKeepingMiniCluster extends LeaderAwareMiniCluster {
    private static final Logger LOG = LoggerFactory.getLogger(HaKeepingMiniCluster.class);
    private volatile boolean keepHaData;

    HaKeepingMiniCluster(MiniClusterConfiguration configuration) {
        super(configuration);
    }

    /** Closes the cluster and leaves its HA data in ZooKeeper and the storage directory. */
    CompletableFuture<Void> crashAsync() {
        keepHaData = true;
        return closeAsync();
    }

    @Override
    protected HighAvailabilityServices createHighAvailabilityServices(Configuration configuration, Executor executor)
            throws Exception {
        HighAvailabilityServices services = super.createHighAvailabilityServices(configuration, executor);
        Method close = HighAvailabilityServices.class.getMethod("close");
        return (HighAvailabilityServices) Proxy.newProxyInstance(HighAvailabilityServices.class.getClassLoader(),
                new Class<?>[] {HighAvailabilityServices.class}, (proxy, method, args) -> {
                    Method target = method;
                    if (keepHaData && method.getName().equals("closeAndCleanupAllData")
                            && method.getParameterCount() == 0) {
                        LOG.info("crash: HighAvailabilityServices.closeAndCleanupAllData() turned into close(), "
                                + "the HA data stays in ZooKeeper and the HA storage");
                        target = close;
                    }
                    try {
                        return target.invoke(services, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
