package io.zktenantproxy.protocol.testkit;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * One edit of a valid frame, as the fuzz tests apply them: flip a bit, overwrite an int with an interesting value
 * (lengths and counts live in ints), truncate, insert or delete bytes. Positions wrap around the frame's length, so
 * every generated mutation applies to any frame. After the edits the frame's own length field is optionally fixed,
 * so the decoder reads the damaged record instead of merely waiting for more bytes.
 */
public record Mutation(Kind kind, int position, int value) {
    public enum Kind { FLIP_BIT, SET_BYTE, SET_INT, TRUNCATE, INSERT, DELETE }

    /** Values that sit on the boundaries of every length, count and flag check. */
    private static final int[] INTERESTING = {0, 1, -1, -2, 2, 3, 4, 7, 8, 16, 255, 256, 0x7f, 0x80, 0xffff, 0x10000,
        0xfffff, 0x100000, Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE / 4 + 1};

    /** {@code frame} after each of {@code mutations} in turn, its length field then fixed or not. */
    public static byte[] apply(byte[] frame, List<Mutation> mutations, boolean fixLength) {
        byte[] out = frame;
        for (Mutation m : mutations) {
            out = m.apply(out);
        }
        if (fixLength && out.length >= Integer.BYTES) {
            ByteBuffer.wrap(out).putInt(0, out.length - Integer.BYTES);
        }
        return out;
    }

    /** A copy of {@code in} with this one edit (or {@code in} itself, when there is nothing to edit). */
    public byte[] apply(byte[] in) {
        if (in.length == 0) {
            return kind == Kind.INSERT ? new byte[] {(byte) value} : in;
        }
        int at = Math.floorMod(position, in.length);
        byte[] out;
        switch (kind) {
            case FLIP_BIT -> {
                out = in.clone();
                out[at] ^= (byte) (1 << Math.floorMod(value, 8));
            }
            case SET_BYTE -> {
                out = in.clone();
                out[at] = (byte) value;
            }
            case SET_INT -> {
                out = in.clone();
                int v = INTERESTING[Math.floorMod(value, INTERESTING.length)];
                for (int i = 0; i < Integer.BYTES && at + i < out.length; i++) {
                    out[at + i] = (byte) (v >>> (24 - 8 * i));
                }
            }
            case TRUNCATE -> out = Arrays.copyOf(in, at);
            case INSERT -> {
                int n = 1 + Math.floorMod(value, 8);
                out = new byte[in.length + n];
                System.arraycopy(in, 0, out, 0, at);
                Arrays.fill(out, at, at + n, (byte) value);
                System.arraycopy(in, at, out, at + n, in.length - at);
            }
            case DELETE -> {
                int n = Math.min(1 + Math.floorMod(value, 8), in.length - at);
                out = new byte[in.length - n];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + n, out, at, in.length - at - n);
            }
            default -> throw new IllegalStateException();
        }
        return out;
    }
}
