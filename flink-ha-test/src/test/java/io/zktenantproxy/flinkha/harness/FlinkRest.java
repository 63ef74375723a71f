package io.zktenantproxy.flinkha.harness;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.StandaloneClusterId;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;

/**
 * Flink's REST client ({@link RestClusterClient}, what {@code flink run} uses) pointed at one JobManager process's
 * REST port on loopback, without HA on the client's side: the test knows which JobManager it asks, and needs no
 * ZooKeeper connection of its own (which would be one more client to the proxy replica a scenario kills).
 */
public final class FlinkRest implements AutoCloseable {
    private static final Duration CALL_BOUND = Duration.ofSeconds(30);

    private final RestClusterClient<StandaloneClusterId> client;

    /**
     * @param jobManager the JobManager to ask; a standby answers too once it leads
     * @throws Exception as {@link RestClusterClient}'s constructor does
     */
    public FlinkRest(FlinkProcesses.JobManager jobManager) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("rest.address", "127.0.0.1");
        conf.setString("rest.port", Integer.toString(jobManager.restPort()));
        conf.setString("rest.retry.max-attempts", "3");
        this.client = new RestClusterClient<>(conf, StandaloneClusterId.getInstance());
    }

    /**
     * Submits {@code graph} (its classes are on every process's class path: no jar is uploaded).
     *
     * @return the job's id, once the leading dispatcher accepted it (persisted its execution plan in HA)
     */
    public JobID submit(JobGraph graph) throws Exception {
        return client.submitJob(graph).get(2, TimeUnit.MINUTES);
    }

    /** @return the job's status as the leading dispatcher reports it */
    public JobStatus status(JobID job) throws Exception {
        return client.getJobStatus(job).get(CALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits (at most 3 minutes) until the job ends for good, and fails unless it FINISHED. */
    public void awaitFinished(JobID job) {
        JobStatus status = Runs.patiently().atMost(Duration.ofMinutes(3)).until(() -> status(job),
                JobStatus::isGloballyTerminalState);
        if (status != JobStatus.FINISHED) {
            throw new AssertionError("job " + job + " ended " + status);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
