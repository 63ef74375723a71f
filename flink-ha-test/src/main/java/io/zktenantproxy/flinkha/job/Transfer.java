package io.zktenantproxy.flinkha.job;

import java.util.Objects;

/**
 * One money transfer, the job's input event.
 *
 * <p>A Flink POJO rather than a record (public class, public no-arg constructor, every field with a getter and a
 * setter), so that every Flink line the suite runs on serializes it with its {@code PojoSerializer}: Flink before
 * 1.19 has no record support and falls back to Kryo, which cannot serialize records on Java 17. The getters keep
 * the record's accessor names ({@code from()}, not {@code getFrom()}), which Flink's POJO analysis accepts. Equality
 * is by value, as for the record it replaces; the setters exist for Flink's deserializer only.
 */
public final class Transfer {
    private long sequence;
    private String from;
    private String to;
    private long amountCents;
    private long eventTime;

    /** For Flink's POJO serializer only; fields stay at their defaults. */
    public Transfer() {
    }

    /**
     * @param sequence    position in the generated stream (0-based); the generator derives every other field from it
     * @param from        debited account
     * @param to          credited account
     * @param amountCents amount in cents, always positive
     * @param eventTime   when the transfer happened, epoch milliseconds; grows with {@code sequence}
     */
    public Transfer(long sequence, String from, String to, long amountCents, long eventTime) {
        this.sequence = sequence;
        this.from = from;
        this.to = to;
        this.amountCents = amountCents;
        this.eventTime = eventTime;
    }

    /** @return the key the job groups by: the ordered account pair */
    public String pair() {
        return from + "->" + to;
    }

    /** @return position in the generated stream (0-based) */
    public long sequence() {
        return sequence;
    }

    /** @param sequence position in the generated stream */
    public void setSequence(long sequence) {
        this.sequence = sequence;
    }

    /** @return debited account */
    public String from() {
        return from;
    }

    /** @param from debited account */
    public void setFrom(String from) {
        this.from = from;
    }

    /** @return credited account */
    public String to() {
        return to;
    }

    /** @param to credited account */
    public void setTo(String to) {
        this.to = to;
    }

    /** @return amount in cents, always positive */
    public long amountCents() {
        return amountCents;
    }

    /** @param amountCents amount in cents */
    public void setAmountCents(long amountCents) {
        this.amountCents = amountCents;
    }

    /** @return when the transfer happened, epoch milliseconds */
    public long eventTime() {
        return eventTime;
    }

    /** @param eventTime when the transfer happened, epoch milliseconds */
    public void setEventTime(long eventTime) {
        this.eventTime = eventTime;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Transfer t && sequence == t.sequence && Objects.equals(from, t.from)
                && Objects.equals(to, t.to) && amountCents == t.amountCents && eventTime == t.eventTime;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sequence, from, to, amountCents, eventTime);
    }

    @Override
    public String toString() {
        return "Transfer[sequence=" + sequence + ", from=" + from + ", to=" + to + ", amountCents=" + amountCents
                + ", eventTime=" + eventTime + "]";
    }
}
