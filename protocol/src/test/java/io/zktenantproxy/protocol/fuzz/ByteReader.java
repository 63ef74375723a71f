package io.zktenantproxy.protocol.fuzz;

import java.util.Arrays;

/**
 * A strict jute reader over a byte array for the fuzz oracles, written apart from the proxy's {@code Jute} so that a
 * bug there is not mirrored here. Any read past the end throws {@link Malformed}.
 */
final class ByteReader {
    /** The bytes do not hold the record being read. */
    static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String what) {
            super(what, null, false, false);
        }
    }

    private final byte[] bytes;
    private int pos;
    private final int end;

    ByteReader(byte[] bytes, int from, int end) {
        this.bytes = bytes;
        this.pos = from;
        this.end = end;
    }

    byte[] bytes() {
        return bytes;
    }

    int position() {
        return pos;
    }

    int remaining() {
        return end - pos;
    }

    private void need(int n) {
        if (n < 0 || end - pos < n) {
            throw new Malformed("need " + n + " bytes at " + pos + ", have " + (end - pos));
        }
    }

    int readInt() {
        need(4);
        int v = (bytes[pos] & 0xff) << 24 | (bytes[pos + 1] & 0xff) << 16 | (bytes[pos + 2] & 0xff) << 8
                | (bytes[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    long readLong() {
        return ((long) readInt() << 32) | (readInt() & 0xffffffffL);
    }

    /** A jute boolean as the proxy must accept it: exactly 0 or 1. */
    boolean readBool() {
        need(1);
        byte b = bytes[pos++];
        if (b != 0 && b != 1) {
            throw new Malformed("boolean " + b);
        }
        return b == 1;
    }

    /** A {@code ustring} or {@code buffer}: its bytes, or null for length -1. */
    byte[] readBytes() {
        int length = readInt();
        if (length == -1) {
            return null;
        }
        if (length < -1) {
            throw new Malformed("length " + length);
        }
        need(length);
        byte[] out = Arrays.copyOfRange(bytes, pos, pos + length);
        pos += length;
        return out;
    }

    void skip(int n) {
        need(n);
        pos += n;
    }

    void expectEnd() {
        if (pos != end) {
            throw new Malformed((end - pos) + " bytes left over");
        }
    }
}
