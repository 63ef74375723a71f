package io.zktenantproxy.flinkha.job;

/**
 * Raised when the transfers from one account to another within one event-time window add up to more than
 * {@link FraudRules#THRESHOLD_CENTS}. The job and the {@link AlertOracle} produce the same values for the same input.
 *
 * @param pair        {@code from->to}
 * @param windowStart window start, epoch milliseconds (inclusive)
 * @param windowEnd   window end, epoch milliseconds (exclusive)
 * @param sumCents    total of the window's transfers for the pair
 * @param transfers   how many transfers the window held for the pair
 */
public record Alert(String pair, long windowStart, long windowEnd, long sumCents, long transfers) {

    /** @return what identifies an alert: pair and window; a replay after a failover produces the same key */
    public Key key() {
        return new Key(pair, windowStart);
    }

    /** Identity of an alert, used by the idempotent sink. */
    public record Key(String pair, long windowStart) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(windowStart, o.windowStart);
            return c != 0 ? c : pair.compareTo(o.pair);
        }
    }

    @Override
    public String toString() {
        return String.format("%-16s window [%d s, %d s) $%,d.%02d in %d transfers", pair,
                (windowStart - FraudRules.EPOCH_MILLIS) / 1000, (windowEnd - FraudRules.EPOCH_MILLIS) / 1000,
                sumCents / 100, sumCents % 100, transfers);
    }
}
