package io.zktenantproxy.flinkha.job;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The fraud-alert job: a replayable, rate-limited stream of {@link Transfer}s, keyed by account pair, summed per
 * 10-second event-time window, an {@link Alert} for every sum above $10,000, written to the run's
 * {@link RunLedger}.
 *
 * <p>The source is Flink's {@code DataGeneratorSource}: its state is the position in the sequence, so a restore
 * resumes exactly where the checkpoint was taken. It runs at parallelism 1 so that event time, and with it the
 * watermark, advances steadily and windows fire throughout the run; the windows run at {@code parallelism}.
 */
public final class FraudJob {
    private FraudJob() {
    }

    /**
     * What to run.
     *
     * @param runId              names the run's ledger; distinct per job in one JVM
     * @param transfers          how many transfers the source emits before it finishes
     * @param transfersPerSecond rate limit; with {@code transfers} it sets the run time
     * @param parallelism        of the windows and the sink
     * @param checkpointInterval how often Flink checkpoints
     */
    public record Spec(String runId, long transfers, double transfersPerSecond, int parallelism,
                       Duration checkpointInterval) {

        /** @return how long the source needs at its rate */
        public Duration sourceDuration() {
            return Duration.ofMillis((long) (transfers * 1000 / transfersPerSecond));
        }
    }

    /** @return the job graph of {@code spec}, ready for {@code MiniCluster.submitJob} */
    public static JobGraph graph(Spec spec) {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());
        env.enableCheckpointing(spec.checkpointInterval().toMillis());
        env.setParallelism(spec.parallelism());

        DataGeneratorSource<Transfer> source = new DataGeneratorSource<>(new TransferGenerator(), spec.transfers(),
                RateLimiterStrategy.perSecond(spec.transfersPerSecond()), TypeInformation.of(Transfer.class));
        WatermarkStrategy<Transfer> watermarks = WatermarkStrategy.<Transfer>forMonotonousTimestamps()
                .withTimestampAssigner((transfer, previous) -> transfer.eventTime());

        env.fromSource(source, watermarks, "transfers").setParallelism(1).uid("transfers")
                .map(new RestoreRecorder(spec.runId())).setParallelism(1).uid("restore-recorder")
                .keyBy(Transfer::pair)
                .window(new TumblingWindows(FraudRules.WINDOW))
                .aggregate(new WindowTotal(), new AlertOnThreshold()).uid("window-sums")
                .sinkTo(LedgerSink.into(spec.runId())).uid("alerts");
        return env.getStreamGraph().getJobGraph();
    }
}
