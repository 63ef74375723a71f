package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Bounded readers and writers for the jute primitive types, as {@code org.apache.jute.BinaryInputArchive} and
 * {@code BinaryOutputArchive} lay them out: big-endian {@code int}/{@code long}, a one-byte {@code boolean},
 * {@code ustring} and {@code buffer} as an {@code int} length (-1 for null) followed by that many bytes, and
 * {@code vector} as an {@code int} count (-1 for null) followed by the elements.
 *
 * <p>Every read checks that the bytes it needs are in the frame first; a short read or a length pointing past the
 * frame is a {@link ProtocolException.Kind#TRUNCATED} error naming the field, never an
 * {@link IndexOutOfBoundsException}. Strings must be valid UTF-8 ({@link Utf8}); jute itself would silently replace
 * bad bytes, which would let two different byte strings name the same znode.
 */
public final class Jute {
    /** Bytes of a {@code Stat} record: six longs and five ints. */
    public static final int STAT_BYTES = 6 * Long.BYTES + 5 * Integer.BYTES;
    /** Bytes of a {@code ReplyHeader}: xid, zxid, err. */
    public static final int REPLY_HEADER_BYTES = Integer.BYTES + Long.BYTES + Integer.BYTES;
    /** Bytes of a {@code RequestHeader}: xid, type. */
    public static final int REQUEST_HEADER_BYTES = 2 * Integer.BYTES;

    private Jute() {
    }

    public static void need(ByteBuf in, int bytes, String field) {
        if (in.readableBytes() < bytes) {
            throw new ProtocolException(ProtocolException.Kind.TRUNCATED,
                    field + ": needs " + bytes + " bytes (readable: " + in.readableBytes() + ")");
        }
    }

    public static int readInt(ByteBuf in, String field) {
        need(in, Integer.BYTES, field);
        return in.readInt();
    }

    public static long readLong(ByteBuf in, String field) {
        need(in, Long.BYTES, field);
        return in.readLong();
    }

    /** Reads a jute boolean; only 0 and 1 are accepted. */
    public static boolean readBool(ByteBuf in, String field) {
        need(in, 1, field);
        byte b = in.readByte();
        if (b != 0 && b != 1) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, field + ": boolean byte " + b
                    + " (expected: 0 or 1)");
        }
        return b == 1;
    }

    /**
     * Reads the length of a {@code buffer} or {@code ustring} and checks it against what the frame still holds.
     *
     * @return the length, or -1 for null
     */
    public static int readLength(ByteBuf in, String field) {
        int length = readInt(in, field);
        if (length < -1 || length > in.readableBytes()) {
            throw new ProtocolException(ProtocolException.Kind.TRUNCATED, field + ": length " + length
                    + " (expected: -1.." + in.readableBytes() + ")");
        }
        return length;
    }

    /** Reads a {@code ustring}; null for length -1; invalid UTF-8 is a {@code MALFORMED_FIELD} error. */
    public static String readString(ByteBuf in, String field) {
        int length = readLength(in, field);
        if (length < 0) {
            return null;
        }
        int start = in.readerIndex();
        if (!Utf8.isValid(in, start, length)) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, field + ": not valid UTF-8");
        }
        in.skipBytes(length);
        return in.toString(start, length, StandardCharsets.UTF_8);
    }

    /** Skips a {@code buffer} (or {@code ustring} whose text does not matter) without copying it. */
    public static void skipBuffer(ByteBuf in, String field) {
        int length = readLength(in, field);
        if (length > 0) {
            in.skipBytes(length);
        }
    }

    /** Reads a {@code buffer} into a new array; null for length -1. */
    public static byte[] readBuffer(ByteBuf in, String field) {
        int length = readLength(in, field);
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        return bytes;
    }

    /**
     * Reads a vector count. Each element takes at least {@code minElementBytes}, so a count the frame cannot hold is
     * refused before anything is allocated for it.
     *
     * @return the count, or -1 for a null vector
     */
    public static int readCount(ByteBuf in, int minElementBytes, String field) {
        int count = readInt(in, field);
        if (count < -1 || (count > 0 && (long) count * minElementBytes > in.readableBytes())) {
            throw new ProtocolException(ProtocolException.Kind.TRUNCATED, field + ": count " + count
                    + " (expected: -1.." + in.readableBytes() / minElementBytes + ")");
        }
        return count;
    }

    /** Skips a {@code vector<ACL>}: each {@code ACL{int perms; Id{ustring scheme; ustring id}}}. */
    public static void skipAclVector(ByteBuf in, String field) {
        int count = readCount(in, 3 * Integer.BYTES, field);
        for (int i = 0; i < count; i++) {
            readInt(in, field + ".perms");
            readString(in, field + ".id.scheme");
            readString(in, field + ".id.id");
        }
    }

    /** Fails with {@code TRAILING_BYTES} unless the record consumed the whole frame. */
    public static void expectEnd(ByteBuf in, String record) {
        if (in.isReadable()) {
            throw new ProtocolException(ProtocolException.Kind.TRAILING_BYTES, record + ": " + in.readableBytes()
                    + " bytes left over");
        }
    }

    /** Writes a {@code ustring}: -1 for null, else the UTF-8 length and bytes. */
    public static void writeString(ByteBuf out, String value) {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(ByteBufUtil.utf8Bytes(value));
        ByteBufUtil.writeUtf8(out, value);
    }

    /** Writes a {@code buffer}: -1 for null, else the length and bytes. */
    public static void writeBuffer(ByteBuf out, byte[] value) {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(value.length);
        out.writeBytes(value);
    }

    /**
     * Reads a handshake frame ({@code ConnectRequest} or {@code ConnectResponse}, which have no header) whole.
     *
     * @param frame  the whole frame, 4-byte length included; not consumed
     * @param record the record's name, for errors
     * @param fields reads the record's fields, in order, from a buffer positioned after the length prefix
     * @throws ProtocolException ({@code HANDSHAKE}) if the frame is not exactly one such record
     */
    static <T> T readHandshake(ByteBuf frame, String record, Function<ByteBuf, T> fields) {
        ByteBuf in = frame.duplicate();
        in.skipBytes(Integer.BYTES);
        try {
            T value = fields.apply(in);
            expectEnd(in, record);
            return value;
        } catch (ProtocolException e) {
            throw new ProtocolException(ProtocolException.Kind.HANDSHAKE, e.getMessage());
        }
    }

    /** Reads the optional trailing {@code boolean readOnly} of a handshake record: null when the frame has none. */
    static Boolean readTrailingBool(ByteBuf in, String field) {
        return in.isReadable() ? readBool(in, field) : null;
    }

    /**
     * Ends a handshake frame ({@code ConnectRequest} or {@code ConnectResponse}): writes {@code passwd}, then the
     * trailing {@code readOnly} flag unless it is null (old clients send none), then sets the frame's length prefix.
     *
     * @param out a frame whose first four bytes are its length prefix
     * @return {@code out}
     */
    static ByteBuf endHandshake(ByteBuf out, byte[] passwd, Boolean readOnly) {
        writeBuffer(out, passwd);
        if (readOnly != null) {
            out.writeBoolean(readOnly);
        }
        return out.setInt(0, out.readableBytes() - Integer.BYTES);
    }

    /** Skips a {@code ustring} of {@code length} (read already) after checking it is UTF-8; @return its index. */
    static int skipUtf8(ByteBuf in, int length, String field) {
        int index = in.readerIndex();
        if (length > 0) {
            if (!Utf8.isValid(in, index, length)) {
                throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, field + ": not valid UTF-8");
            }
            in.skipBytes(length);
        }
        return index;
    }

    /** @return whether {@code in[index, index + length)} holds exactly {@code expected} */
    static boolean bytesEqual(ByteBuf in, int index, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (in.getByte(index + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

}
