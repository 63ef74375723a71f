package io.zktenantproxy.flinkha.job;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * The job's sink: writes each alert into the {@link RunLedger} of its run, keyed by pair and window, so a replay
 * overwrites rather than duplicates.
 */
public final class LedgerSink {
    private LedgerSink() {
    }

    /**
     * @return a sink into {@code runId}'s ledger. A lambda on purpose: {@link Sink} has one abstract
     *     {@code createWriter} in both Flink 1.20 ({@code InitContext}) and 2.x ({@code WriterInitContext}), so the
     *     same source compiles against either line.
     */
    public static Sink<Alert> into(String runId) {
        return context -> new Writer(runId);
    }

    private static final class Writer implements SinkWriter<Alert> {
        private final RunLedger ledger;

        Writer(String runId) {
            this.ledger = RunLedger.of(runId);
        }

        @Override
        public void write(Alert alert, Context context) {
            ledger.write(alert);
        }

        @Override
        public void flush(boolean endOfInput) {
            // every write is already visible in the ledger
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
