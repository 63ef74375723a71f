package io.zktenantproxy.flinkha.job;

import java.time.Duration;

/** The rule the job applies and the shape of its input; shared by the job and the {@link AlertOracle}. */
public final class FraudRules {
    /** An alert is raised when a pair's window sum exceeds this: $10,000.00. */
    public static final long THRESHOLD_CENTS = 1_000_000;
    /** Tumbling event-time window. */
    public static final Duration WINDOW = Duration.ofSeconds(10);
    /** Event time between consecutive transfers: 200 transfers per window, about 20 per pair. */
    public static final long STEP_MILLIS = 50;
    /** Event time of transfer 0, a fixed instant so that runs are reproducible (2025-01-01T00:00:00Z). */
    public static final long EPOCH_MILLIS = 1_735_689_600_000L;

    private FraudRules() {
    }

    /** @return the start of the window that holds {@code eventTime} */
    public static long windowStart(long eventTime) {
        long size = WINDOW.toMillis();
        return eventTime - Math.floorMod(eventTime, size);
    }
}
