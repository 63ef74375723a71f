package io.zktenantproxy.proxy.flink;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One job of a Flink cluster, from every place its id appears: its plan, its checkpoints, its checkpoint counter and
 * its JobMaster's leader znode.
 *
 * @param jobId             the JobID, 32 hex digits
 * @param plan              its submitted plan; null when there is none (a job that finished, or was never submitted
 *                          through this cluster's dispatcher)
 * @param newestCheckpoint  the pointer with the highest checkpoint id; null when the job has none
 * @param checkpoints       the checkpoint pointers retained ({@code state.checkpoints.num-retained}, default 1)
 * @param counter           the checkpoint id counter: the id the next checkpoint gets (Curator {@code SharedCount});
 *                          null when there is none or it is not four bytes (then {@link #counterProblem} says so)
 * @param counterWritten    when the counter was last written (its mtime), milliseconds since the epoch; null if none
 * @param counterProblem    why the counter could not be read; else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FlinkJob(String jobId, StateHandle plan, CheckpointPointer newestCheckpoint, int checkpoints,
                       Long counter, Long counterWritten, String counterProblem) {

    /**
     * @param nowMillis the time to measure from, milliseconds since the epoch (e.g. {@link FlinkView#scannedAt()})
     * @return seconds since the newest checkpoint pointer was written, or null when the job has none
     */
    public Long checkpointAgeSeconds(long nowMillis) {
        return newestCheckpoint == null ? null : Math.max(0, nowMillis - newestCheckpoint.ctime()) / 1000;
    }
}
