package io.zktenantproxy.flinkha.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover times the crash scenarios measure, logged and appended as one tab-separated line per scenario to the
 * file named by the system property {@value #FILE_PROPERTY} (the pom sets {@code target/crash-times.tsv}), so that
 * one Maven run leaves every figure, behind the proxy and directly against ZooKeeper, in one place for
 * docs/FLINK.md. Columns: time, crash kind, route ({@code proxy} or {@code direct}), then milliseconds from the
 * crash (or the redeploy) to: a new leader elected, its JobMaster leading the job, the tasks restored.
 */
public final class CrashTimes {
    /** The system property naming the file; unset, the times are only logged. */
    public static final String FILE_PROPERTY = "flinkha.crash.times";
    private static final Logger LOG = LoggerFactory.getLogger(CrashTimes.class);

    private CrashTimes() {
    }

    /**
     * Records one scenario's times.
     *
     * @param kind       what was crashed, e.g. {@code kill-9-jobmanager}
     * @param route      {@code proxy} or {@code direct}
     * @param electedMs  crash to the new leader's latch node being the lowest, milliseconds
     * @param jobLeadMs  crash to the new JobMaster's {@code connection_info} for the job, milliseconds
     * @param restoredMs crash to the first task restored from a checkpoint, milliseconds
     * @param note       anything else worth a column (the restored checkpoint, the session timeout)
     * @throws UncheckedIOException if the file cannot be appended to
     */
    public static void record(String kind, String route, long electedMs, long jobLeadMs, long restoredMs,
                              String note) {
        String line = String.join("\t", Instant.now().toString(), kind, route, Long.toString(electedMs),
                Long.toString(jobLeadMs), Long.toString(restoredMs), note);
        LOG.info("CRASH-TIMES {} via {}: elected after {} ms, JobMaster leads after {} ms, tasks restored after {} "
                + "ms; {}", kind, route, electedMs, jobLeadMs, restoredMs, note);
        String file = System.getProperty(FILE_PROPERTY);
        if (file == null) {
            return;
        }
        try {
            Files.writeString(Path.of(file), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(file, e);
        }
    }
}
