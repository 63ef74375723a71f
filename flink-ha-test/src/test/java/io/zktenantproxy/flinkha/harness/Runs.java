package io.zktenantproxy.flinkha.harness;

import static org.awaitility.Awaitility.await;

import io.zktenantproxy.flinkha.job.FraudJob;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.UUID;
import org.apache.flink.api.common.JobID;
import org.awaitility.core.ConditionFactory;

/** The run every scenario uses, and waits with deadlines generous enough for a loaded 2-core CI machine. */
public final class Runs {
    /** 3,000 transfers at 300 per second: about 10 s of input, about 40 checkpoints at 200 ms. */
    public static final long TRANSFERS = 3_000;
    public static final double RATE = 300;
    /** Checkpoints the job must have in ZooKeeper before a failure is injected, so a restore is not trivial. */
    public static final long CHECKPOINTS_BEFORE_FAILURE = 3;

    private Runs() {
    }

    /** @return the standard run, with a run id unique in this JVM */
    public static FraudJob.Spec spec(String name) {
        return new FraudJob.Spec(name + "-" + UUID.randomUUID(), TRANSFERS, RATE, 2, Duration.ofMillis(200));
    }

    /** @return awaitility with a deadline far above the normal time, polling often (timings are measured) */
    public static ConditionFactory patiently() {
        return await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).ignoreExceptions();
    }

    /** Waits until {@code job} has at least {@code count} checkpoints counted in its upstream pointers. */
    public static long awaitCheckpoint(UpstreamTree tree, FlinkZnodes znodes, JobID job, long count) {
        return patiently().until(() -> znodes.newestCheckpoint(tree, job),
                id -> id.isPresent() && id.getAsLong() >= count).getAsLong();
    }

    /**
     * Waits until {@code session} leads and returns the newest checkpoint pointer read just before seeing it lead:
     * the pointer a new leader finds. The old leader, whose latch node is gone, can add no more; the new one needs
     * seconds to restore and checkpoint, far more than the few milliseconds between the two reads.
     */
    public static long awaitLeaderThenNewestCheckpoint(UpstreamTree tree, FlinkZnodes znodes, JobID job,
                                                       long session) {
        return patiently().until(() -> {
            OptionalLong newest = znodes.newestCheckpoint(tree, job);
            boolean leads = znodes.leaderSession(tree).orElse(0L) == session;
            return leads && newest.isPresent() ? newest.getAsLong() : -1L;
        }, newest -> newest >= 0);
    }

    /** @return the newest checkpoint pointer of {@code job} now, failing if there is none */
    public static long newestCheckpoint(UpstreamTree tree, FlinkZnodes znodes, JobID job) throws Exception {
        OptionalLong id = znodes.newestCheckpoint(tree, job);
        if (id.isEmpty()) {
            throw new AssertionError("no checkpoint pointer under " + znodes.checkpoints(job));
        }
        return id.getAsLong();
    }
}
