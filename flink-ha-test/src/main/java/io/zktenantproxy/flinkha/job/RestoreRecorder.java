package io.zktenantproxy.flinkha.job;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

/**
 * A pass-through map that tells the run's {@link RunLedger} which checkpoint its task was restored from, as Flink
 * reports it to the task itself. The tests compare that id with the checkpoint pointers they saw in ZooKeeper.
 */
final class RestoreRecorder implements MapFunction<Transfer, Transfer>, CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private final String runId;

    RestoreRecorder(String runId) {
        this.runId = runId;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        context.getRestoredCheckpointId().ifPresent(RunLedger.of(runId)::restored);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        // no state of its own: the source and the windows hold the job's state
    }

    @Override
    public Transfer map(Transfer transfer) {
        return transfer;
    }
}
