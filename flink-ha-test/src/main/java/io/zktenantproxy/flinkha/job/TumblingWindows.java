package io.zktenantproxy.flinkha.job;

import java.time.Duration;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowStagger;

/**
 * {@code TumblingEventTimeWindows.of(size)} for every Flink line the suite runs on: {@code of(Duration)} exists since
 * Flink 1.19 only and {@code of(Time)} is gone in 2.0, but the protected constructor that both call has not changed
 * since 1.12. This is exactly what {@code of(Duration)} builds: the given size, offset 0, windows aligned.
 */
final class TumblingWindows extends TumblingEventTimeWindows {
    private static final long serialVersionUID = 1L;

    TumblingWindows(Duration size) {
        super(size.toMillis(), 0, WindowStagger.ALIGNED);
    }
}
