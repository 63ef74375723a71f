package io.zktenantproxy.flinkha.job;

import org.apache.flink.api.common.functions.AggregateFunction;

/**
 * Incremental window aggregate: {@code [sum of cents, number of transfers]}, so the window keeps two longs per pair
 * rather than every transfer.
 */
final class WindowTotal implements AggregateFunction<Transfer, long[], long[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public long[] createAccumulator() {
        return new long[2];
    }

    @Override
    public long[] add(Transfer transfer, long[] acc) {
        acc[0] += transfer.amountCents();
        acc[1]++;
        return acc;
    }

    @Override
    public long[] getResult(long[] acc) {
        return acc;
    }

    @Override
    public long[] merge(long[] a, long[] b) {
        return new long[] {a[0] + b[0], a[1] + b[1]};
    }
}
