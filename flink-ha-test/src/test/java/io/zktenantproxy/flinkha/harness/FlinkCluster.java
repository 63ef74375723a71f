package io.zktenantproxy.flinkha.harness;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.dispatcher.DispatcherGateway;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;

/**
 * One Flink JobManager process with its TaskManagers: a plain {@link MiniCluster} on random ports (with dedicated
 * RPC services when several live in one JVM), and ZooKeeper HA as {@link FlinkHa} configures it. Two of them
 * with the same HA settings are a leader and a hot standby: both run for the same LeaderLatch, the loser's
 * dispatcher waits, and its TaskManagers serve whichever ResourceManager leads.
 */
public final class FlinkCluster implements AutoCloseable {
    private static final Duration RPC_BOUND = Duration.ofSeconds(60);
    /**
     * {@code MiniCluster.closeAsyncWithoutCleaningHighAvailabilityData()}, the crash of Flink 1.20 and 2.x; absent in
     * 1.17 and older (null), where {@link HaKeepingMiniCluster} provides it. Looked up reflectively so that the
     * harness compiles against every Flink line of the pom's profiles.
     */
    private static final Method CLOSE_KEEPING_HA_DATA = closeKeepingHaData();

    private final String name;
    private final LeaderAwareMiniCluster mini;
    private boolean stopped;

    private FlinkCluster(String name, LeaderAwareMiniCluster mini) {
        this.name = name;
        this.mini = mini;
    }

    /**
     * Starts the only cluster of this JVM, with {@code taskManagers} TaskManagers of 2 slots each. Its components
     * share one RPC service: fewer actor systems to start on a loaded machine.
     */
    public static FlinkCluster start(String name, Map<String, String> settings, int taskManagers) throws Exception {
        return start(name, settings, taskManagers, RpcServiceSharing.SHARED);
    }

    /** Starts one of several clusters in this JVM: each needs RPC services of its own. */
    public static FlinkCluster startOneOfSeveral(String name, Map<String, String> settings, int taskManagers)
            throws Exception {
        return start(name, settings, taskManagers, RpcServiceSharing.DEDICATED);
    }

    private static FlinkCluster start(String name, Map<String, String> settings, int taskManagers,
                                      RpcServiceSharing sharing) throws Exception {
        Configuration conf = Configuration.fromMap(settings);
        MiniClusterConfiguration configuration = new MiniClusterConfiguration.Builder()
                .setConfiguration(conf)
                .setNumTaskManagers(taskManagers)
                .setNumSlotsPerTaskManager(2)
                .setRpcServiceSharing(sharing)
                .withRandomPorts()
                .build();
        LeaderAwareMiniCluster mini = CLOSE_KEEPING_HA_DATA != null ? new LeaderAwareMiniCluster(configuration)
                : new HaKeepingMiniCluster(configuration);
        mini.start();
        return new FlinkCluster(name, mini);
    }

    public String name() {
        return name;
    }

    /** Submits through whichever dispatcher leads (found through ZooKeeper, so through the proxy). */
    public JobID submit(JobGraph graph) throws Exception {
        return mini.submitJob(graph).get(RPC_BOUND.toMillis(), TimeUnit.MILLISECONDS).getJobID();
    }

    /**
     * @return the dispatcher leader as Flink itself advertises it: the address and leader session id (the fencing
     *     token) that this cluster's leader retrieval read from ZooKeeper and connected its gateway with; throws
     *     while it knows none
     */
    public AdvertisedLeader dispatcherLeader() throws Exception {
        DispatcherGateway gateway = mini.dispatcherGateway().get(10, TimeUnit.SECONDS);
        return new AdvertisedLeader(gateway.getAddress(), gateway.getFencingToken().toUUID().toString());
    }

    /** @return the job's status as the leading dispatcher reports it; throws while there is no leader */
    public JobStatus status(JobID job) throws Exception {
        return mini.getJobStatus(job).get(10, TimeUnit.SECONDS);
    }

    /** Waits for the job to end for good (at most 3 minutes) and fails unless it FINISHED. */
    public void awaitFinished(JobID job) throws Exception {
        JobStatus status = awaitTerminal(job, Duration.ofMinutes(3));
        if (status != JobStatus.FINISHED) {
            JobResult result = mini.requestJobResult(job).get(RPC_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("job " + job + " ended " + status + ": "
                    + result.getSerializedThrowable().map(t -> t.getFullStringifiedStackTrace()).orElse(""));
        }
    }

    /**
     * Waits for the job to end for good. A JobManager that loses its leadership completes the job's result as
     * SUSPENDED (a {@link JobResult} that, misleadingly, says {@code isSuccess()}); the next leader recovers the job,
     * so the result alone is not the end: the status, asked of whoever leads afterwards, must be globally terminal.
     * (The status is asked separately because {@code JobResult} exposes it differently in Flink 1.20 and 2.x.)
     *
     * @return FINISHED, FAILED or CANCELED
     */
    public JobStatus awaitTerminal(JobID job, Duration bound) {
        return Runs.patiently().atMost(bound).until(() -> {
            mini.requestJobResult(job).get(bound.toMillis(), TimeUnit.MILLISECONDS);
            return mini.getJobStatus(job).get(RPC_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }, JobStatus::isGloballyTerminalState);
    }

    /** Stops TaskManager {@code index} abruptly: its tasks fail. */
    public void killTaskManager(int index) throws Exception {
        mini.terminateTaskManager(index).get(RPC_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Starts one more TaskManager, which offers its slots to the leading ResourceManager. */
    public void startTaskManager() throws Exception {
        mini.startTaskManager();
    }

    /**
     * Stops this JobManager as a crash would, leaving its HA data in ZooKeeper and the storage directory
     * ({@link MiniCluster#close} would delete them, and a standby would then find no job to recover).
     */
    public void crash() throws Exception {
        crashAsync().get(RPC_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** {@link #crash()} without waiting: returns once the crash has begun. */
    @SuppressWarnings("unchecked")
    public CompletableFuture<Void> crashAsync() {
        stopped = true;
        if (CLOSE_KEEPING_HA_DATA == null) {
            return ((HaKeepingMiniCluster) mini).crashAsync();
        }
        try {
            return (CompletableFuture<Void>) CLOSE_KEEPING_HA_DATA.invoke(mini);
        } catch (InvocationTargetException e) {
            return CompletableFuture.failedFuture(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Method closeKeepingHaData() {
        try {
            return MiniCluster.class.getMethod("closeAsyncWithoutCleaningHighAvailabilityData");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** Stops the cluster and deletes its HA data (under the tenant's chroot only); idempotent. */
    public void stop() throws ExecutionException, TimeoutException {
        if (!stopped) {
            stopped = true;
            try {
                mini.closeAsync().get(RPC_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping " + name, e);
            }
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() throws ExecutionException, TimeoutException {
        stop();
    }

    @Override
    public String toString() {
        return name;
    }
}
