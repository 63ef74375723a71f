package io.zktenantproxy.flinkha.job;

import java.util.Objects;

/**
 * Raised when the transfers from one account to another within one event-time window add up to more than
 * {@link FraudRules#THRESHOLD_CENTS}. The job and the {@link AlertOracle} produce the same values for the same input.
 *
 * <p>A Flink POJO rather than a record, for the reason given on {@link Transfer}: the window operator emits it and
 * the sink receives it, so Flink serializes it between tasks. Equality is by value; the setters exist for Flink's
 * deserializer only. {@link Key} stays a record: it never passes through Flink.
 */
public final class Alert {
    private String pair;
    private long windowStart;
    private long windowEnd;
    private long sumCents;
    private long transfers;

    /** For Flink's POJO serializer only; fields stay at their defaults. */
    public Alert() {
    }

    /**
     * @param pair        {@code from->to}
     * @param windowStart window start, epoch milliseconds (inclusive)
     * @param windowEnd   window end, epoch milliseconds (exclusive)
     * @param sumCents    total of the window's transfers for the pair
     * @param transfers   how many transfers the window held for the pair
     */
    public Alert(String pair, long windowStart, long windowEnd, long sumCents, long transfers) {
        this.pair = pair;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.sumCents = sumCents;
        this.transfers = transfers;
    }

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

    /** @return {@code from->to} */
    public String pair() {
        return pair;
    }

    /** @param pair {@code from->to} */
    public void setPair(String pair) {
        this.pair = pair;
    }

    /** @return window start, epoch milliseconds (inclusive) */
    public long windowStart() {
        return windowStart;
    }

    /** @param windowStart window start, epoch milliseconds */
    public void setWindowStart(long windowStart) {
        this.windowStart = windowStart;
    }

    /** @return window end, epoch milliseconds (exclusive) */
    public long windowEnd() {
        return windowEnd;
    }

    /** @param windowEnd window end, epoch milliseconds */
    public void setWindowEnd(long windowEnd) {
        this.windowEnd = windowEnd;
    }

    /** @return total of the window's transfers for the pair */
    public long sumCents() {
        return sumCents;
    }

    /** @param sumCents total of the window's transfers for the pair */
    public void setSumCents(long sumCents) {
        this.sumCents = sumCents;
    }

    /** @return how many transfers the window held for the pair */
    public long transfers() {
        return transfers;
    }

    /** @param transfers how many transfers the window held for the pair */
    public void setTransfers(long transfers) {
        this.transfers = transfers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Alert a && Objects.equals(pair, a.pair) && windowStart == a.windowStart
                && windowEnd == a.windowEnd && sumCents == a.sumCents && transfers == a.transfers;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pair, windowStart, windowEnd, sumCents, transfers);
    }

    @Override
    public String toString() {
        return String.format("%-16s window [%d s, %d s) $%,d.%02d in %d transfers", pair,
                (windowStart - FraudRules.EPOCH_MILLIS) / 1000, (windowEnd - FraudRules.EPOCH_MILLIS) / 1000,
                sumCents / 100, sumCents % 100, transfers);
    }
}
