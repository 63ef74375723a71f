package io.zktenantproxy.protocol.testkit;

import io.zktenantproxy.protocol.OpCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds frames byte by byte in the jute layout ({@code zookeeper.jute}) with no validation at all, for hostile
 * input: paths are raw bytes (invalid UTF-8, NUL, relative paths, null), lengths and counts may lie, and anything may
 * follow anything. Well-formed frames come from {@link JuteFrames}.
 */
public final class RawFrame {
    /** Opcodes whose request holds a single path first (or getEphemerals' prefix), in {@link OpCode} order. */
    public static final OpCode[] SINGLE_PATH_OPS = {OpCode.CREATE, OpCode.DELETE, OpCode.EXISTS, OpCode.GET_DATA,
        OpCode.SET_DATA, OpCode.GET_ACL, OpCode.SET_ACL, OpCode.GET_CHILDREN, OpCode.SYNC, OpCode.GET_CHILDREN2,
        OpCode.CHECK, OpCode.CREATE2, OpCode.CHECK_WATCHES, OpCode.REMOVE_WATCHES, OpCode.CREATE_CONTAINER,
        OpCode.CREATE_TTL, OpCode.GET_EPHEMERALS, OpCode.GET_ALL_CHILDREN_NUMBER, OpCode.ADD_WATCH};

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private RawFrame() {
    }

    /** A body starting with {@code RequestHeader{xid, type}}. */
    public static RawFrame request(int xid, int type) {
        return new RawFrame().i(xid, type);
    }

    /** A body with nothing in it yet (a ConnectRequest, a reply, garbage). */
    public static RawFrame body() {
        return new RawFrame();
    }

    /** Big-endian {@code int}s. */
    public RawFrame i(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Integer.BYTES);
        for (int v : values) {
            b.putInt(v);
        }
        out.writeBytes(b.array());
        return this;
    }

    public RawFrame l(long v) {
        out.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(v).array());
        return this;
    }

    public RawFrame bool(boolean v) {
        out.write(v ? 1 : 0);
        return this;
    }

    /** One byte, any value (a boolean of 2, say). */
    public RawFrame b(int v) {
        out.write(v);
        return this;
    }

    public RawFrame raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A {@code ustring}/{@code buffer}: length then bytes; null writes length -1. */
    public RawFrame buf(byte[] bytes) {
        if (bytes == null) {
            return i(-1);
        }
        return i(bytes.length).raw(bytes);
    }

    public RawFrame str(String s) {
        return buf(s == null ? null : utf8(s));
    }

    /** {@code vector<ustring>}. */
    public RawFrame strings(byte[]... values) {
        i(values.length);
        for (byte[] v : values) {
            buf(v);
        }
        return this;
    }

    /** {@code vector<ACL>} holding world:anyone with every permission. */
    public RawFrame openAcl() {
        return i(1, 31).str("world").str("anyone");
    }

    /**
     * Appends the record of a path-first {@code op} ({@code CreateRequest}, {@code GetDataRequest}, ...) with
     * {@code path}; {@code createFlags} applies to creates (a container create always uses 4, a TTL create 5).
     */
    public RawFrame pathRecord(OpCode op, byte[] path, int createFlags) {
        buf(path);
        return switch (op) {
            case CREATE, CREATE2 -> buf(utf8("x")).openAcl().i(createFlags);
            case CREATE_CONTAINER -> buf(utf8("x")).openAcl().i(4);
            case CREATE_TTL -> buf(utf8("x")).openAcl().i(5).l(60_000);
            case DELETE, CHECK -> i(-1);
            case EXISTS, GET_DATA, GET_CHILDREN, GET_CHILDREN2 -> bool(true);
            case SET_DATA -> buf(utf8("x")).i(-1);
            case SET_ACL -> openAcl().i(-1);
            case CHECK_WATCHES, REMOVE_WATCHES -> i(3);
            case ADD_WATCH -> i(1);
            case GET_ACL, SYNC, GET_EPHEMERALS, GET_ALL_CHILDREN_NUMBER -> this;
            default -> throw new IllegalArgumentException("not a path-first op: " + op);
        };
    }

    /** The body so far, without a length. */
    public byte[] bytes() {
        return out.toByteArray();
    }

    /** The whole frame: the 4-byte length of the body so far, then the body. */
    public byte[] frame() {
        return JuteFrames.frame(out.toByteArray());
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A well-formed request of {@code op} on {@code path} (raw bytes; null for a null path). */
    public static byte[] pathRequest(int xid, OpCode op, byte[] path) {
        return request(xid, op.code()).pathRecord(op, path, 0).frame();
    }

    /** {@code multi} (or {@code multiRead}) of {@code (op, path)} pairs, each a well-formed sub-record. */
    public static byte[] multi(int xid, OpCode multi, Object... opAndPath) {
        RawFrame f = request(xid, multi.code());
        for (int i = 0; i < opAndPath.length; i += 2) {
            OpCode op = (OpCode) opAndPath[i];
            f.i(op.code()).bool(false).i(-1).pathRecord(op, (byte[]) opAndPath[i + 1], 0);
        }
        return f.i(-1).bool(true).i(-1).frame();
    }

    /** {@code setWatches} (3 lists) or {@code setWatches2} (5 lists) with {@code paths} in list {@code which}. */
    public static byte[] setWatches(int xid, OpCode op, long relativeZxid, int which, byte[]... paths) {
        int lists = op == OpCode.SET_WATCHES2 ? 5 : 3;
        RawFrame f = request(xid, op.code()).l(relativeZxid);
        for (int list = 0; list < lists; list++) {
            if (list == which) {
                f.strings(paths);
            } else {
                f.strings();
            }
        }
        return f.frame();
    }

    /** A copy of {@code frame} cut or zero-padded to {@code length} bytes, its length field made to match. */
    public static byte[] resized(byte[] frame, int length) {
        return withIntAt(Arrays.copyOf(frame, length), 0, length - Integer.BYTES);
    }

    /** A copy of {@code frame} with the big-endian int at {@code offset} replaced by {@code value}. */
    public static byte[] withIntAt(byte[] frame, int offset, int value) {
        byte[] out = frame.clone();
        ByteBuffer.wrap(out).putInt(offset, value);
        return out;
    }
}
