package io.zktenantproxy.proxy.flink;

import java.util.Arrays;

/**
 * A cursor over bytes in the big-endian encoding of {@code java.io.DataInput}, as the Java Object Serialization Stream
 * Protocol uses it. Every read checks that the bytes are there first; a short read or a bound broken throws
 * {@link Malformed}, which never leaves this package ({@link LeaderInfoParser} turns it into a result).
 *
 * <p>Work is bounded by the input: each read consumes at least one byte or fails.
 */
final class SerialInput {
    private final byte[] data;
    private int position;

    SerialInput(byte[] data) {
        this.data = data;
    }

    /** Why the bytes do not follow the grammar; one line naming the field and the bound. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    int position() {
        return position;
    }

    int remaining() {
        return data.length - position;
    }

    /** @return the next byte, 0..255 */
    int u1(String field) throws Malformed {
        need(1, field);
        return data[position++] & 0xff;
    }

    /** @return the next byte, 0..255, without consuming it */
    int peek(String field) throws Malformed {
        need(1, field);
        return data[position] & 0xff;
    }

    /** @return the next two bytes as an unsigned short */
    int u2(String field) throws Malformed {
        need(2, field);
        int v = ((data[position] & 0xff) << 8) | (data[position + 1] & 0xff);
        position += 2;
        return v;
    }

    /** @return the next four bytes as a signed int */
    int s4(String field) throws Malformed {
        need(4, field);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v = (v << 8) | (data[position + i] & 0xff);
        }
        position += 4;
        return v;
    }

    /** @return the next eight bytes as a signed long */
    long s8(String field) throws Malformed {
        need(8, field);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (data[position + i] & 0xff);
        }
        position += 8;
        return v;
    }

    /** @return a copy of the next {@code length} bytes */
    byte[] bytes(int length, String field) throws Malformed {
        need(length, field);
        byte[] copy = Arrays.copyOfRange(data, position, position + length);
        position += length;
        return copy;
    }

    /**
     * Reads a {@code DataOutput.writeUTF} string: an unsigned short length, then that many bytes of modified UTF-8.
     *
     * @param max the most encoded bytes accepted
     */
    String utf(String field, int max) throws Malformed {
        int length = u2(field + " length");
        if (length > max) {
            throw new Malformed(field + " length: " + length + " (expected: <= " + max + ")");
        }
        return ModifiedUtf8.decode(bytes(length, field), field);
    }

    private void need(int n, String field) throws Malformed {
        if (n < 0 || n > data.length - position) {
            throw new Malformed(field + ": needs " + n + " bytes at offset " + position + ", " + remaining()
                    + " left");
        }
    }
}
