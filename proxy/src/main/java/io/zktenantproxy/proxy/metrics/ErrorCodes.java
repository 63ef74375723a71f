package io.zktenantproxy.proxy.metrics;

import java.util.Locale;
import org.apache.zookeeper.KeeperException;

/**
 * Turns the {@code err} of a {@code ReplyHeader} into a slot and a tag value, from the closed set of
 * {@link KeeperException.Code} values: {@code -101} is slot of {@code NONODE}, tag {@code nonode}. A code ZooKeeper
 * does not define (a misbehaving server) maps to the one extra slot {@code other}, so no reply can create a new
 * series. Lookups are array reads.
 */
final class ErrorCodes {
    private static final KeeperException.Code[] CODES = KeeperException.Code.values();
    /** Slot of every code outside {@link KeeperException.Code}. */
    static final int OTHER = CODES.length;
    /** Number of slots: every defined code plus {@link #OTHER}. */
    static final int SLOTS = CODES.length + 1;
    private static final int SPAN = 256;
    private static final int[] BY_NEGATED = new int[SPAN];

    static {
        java.util.Arrays.fill(BY_NEGATED, OTHER);
        for (int i = 0; i < CODES.length; i++) {
            int negated = -CODES[i].intValue();
            if (negated >= 0 && negated < SPAN) {
                BY_NEGATED[negated] = i;
            }
        }
    }

    private ErrorCodes() {
    }

    /** @return the slot of {@code err}, in {@code [0, SLOTS)} */
    static int slot(int err) {
        int negated = -err;
        return negated >= 0 && negated < SPAN ? BY_NEGATED[negated] : OTHER;
    }

    /** @return the tag value of {@code slot}: the code's name in lower case ({@code nonode}), or {@code other} */
    static String tag(int slot) {
        return slot == OTHER ? "other" : CODES[slot].name().toLowerCase(Locale.ROOT);
    }
}
