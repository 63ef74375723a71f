package io.zktenantproxy.flinkha.job;

/**
 * One money transfer, the job's input event.
 *
 * @param sequence    position in the generated stream (0-based); the generator derives every other field from it
 * @param from        debited account
 * @param to          credited account
 * @param amountCents amount in cents, always positive
 * @param eventTime   when the transfer happened, epoch milliseconds; grows with {@code sequence}
 */
public record Transfer(long sequence, String from, String to, long amountCents, long eventTime) {

    /** @return the key the job groups by: the ordered account pair */
    public String pair() {
        return from + "->" + to;
    }
}
