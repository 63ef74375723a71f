package io.zktenantproxy.flinkha.job;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Turns a pair's window total into an {@link Alert} when it exceeds {@link FraudRules#THRESHOLD_CENTS}. */
final class AlertOnThreshold extends ProcessWindowFunction<long[], Alert, String, TimeWindow> {
    private static final long serialVersionUID = 1L;

    @Override
    public void process(String pair, Context context, Iterable<long[]> totals, Collector<Alert> out) {
        for (long[] total : totals) {
            if (total[0] > FraudRules.THRESHOLD_CENTS) {
                TimeWindow w = context.window();
                out.collect(new Alert(pair, w.getStart(), w.getEnd(), total[0], total[1]));
            }
        }
    }
}
