package io.zktenantproxy.proxy.adversarial;

import io.zktenantproxy.protocol.OpCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds request frames byte by byte, jute layout ({@code zookeeper.jute}), with no validation at all: paths are
 * raw bytes (so invalid UTF-8, NUL and relative paths can be sent), lengths and counts can lie.
 */
final class RawFrames {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private RawFrames() {
    }

    /** A body starting with {@code RequestHeader{xid, type}}. */
    static RawFrames request(int xid, int type) {
        return new RawFrames().i(xid).i(type);
    }

    /** A body with nothing in it yet (for a ConnectRequest or garbage). */
    static RawFrames body() {
        return new RawFrames();
    }

    RawFrames i(int v) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
        return this;
    }

    RawFrames l(long v) {
        out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
        return this;
    }

    RawFrames bool(boolean v) {
        out.write(v ? 1 : 0);
        return this;
    }

    RawFrames b(int v) {
        out.write(v);
        return this;
    }

    RawFrames raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A {@code ustring}/{@code buffer}: length then bytes; null writes length -1. */
    RawFrames buf(byte[] bytes) {
        if (bytes == null) {
            return i(-1);
        }
        return i(bytes.length).raw(bytes);
    }

    RawFrames str(String s) {
        return buf(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code vector<ustring>}. */
    RawFrames strings(byte[]... values) {
        i(values.length);
        for (byte[] v : values) {
            buf(v);
        }
        return this;
    }

    /** {@code vector<ACL>} holding world:anyone with every permission. */
    RawFrames openAcl() {
        return i(1).i(31).str("world").str("anyone");
    }

    /** The body so far, without a length. */
    byte[] bytes() {
        return out.toByteArray();
    }

    /** The whole frame: 4-byte length, then the body. */
    byte[] frame() {
        byte[] body = out.toByteArray();
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code ConnectRequest{protocolVersion 0, lastZxidSeen, timeOut, sessionId, passwd, readOnly false}}. */
    static byte[] connect(long sessionId, byte[] passwd, int timeoutMs) {
        return body().i(0).l(0).i(timeoutMs).l(sessionId).buf(passwd).bool(false).frame();
    }

    static byte[] connect() {
        return connect(0, new byte[16], 30_000);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    /** Opcodes whose request holds a single path first (or getEphemerals' prefix), in {@link OpCode} order. */
    static final OpCode[] SINGLE_PATH_OPS = {OpCode.CREATE, OpCode.DELETE, OpCode.EXISTS, OpCode.GET_DATA,
        OpCode.SET_DATA, OpCode.GET_ACL, OpCode.SET_ACL, OpCode.GET_CHILDREN, OpCode.SYNC, OpCode.GET_CHILDREN2,
        OpCode.CHECK, OpCode.CREATE2, OpCode.CHECK_WATCHES, OpCode.REMOVE_WATCHES, OpCode.CREATE_CONTAINER,
        OpCode.CREATE_TTL, OpCode.GET_EPHEMERALS, OpCode.GET_ALL_CHILDREN_NUMBER, OpCode.ADD_WATCH};

    /** A well-formed request of {@code op} on {@code path} (raw bytes; null for a null path). */
    static byte[] pathRequest(int xid, OpCode op, byte[] path) {
        RawFrames f = request(xid, op.code());
        writePathRecord(f, op, path, 0);
        return f.frame();
    }

    /**
     * Appends the record of a path-first {@code op} ({@code CreateRequest}, {@code GetDataRequest}, ...) with
     * {@code path}; {@code createFlags} applies to creates (a container create always uses 4, a TTL create 5).
     */
    static void writePathRecord(RawFrames f, OpCode op, byte[] path, int createFlags) {
        f.buf(path);
        switch (op) {
            case CREATE, CREATE2 -> f.buf(utf8("x")).openAcl().i(createFlags);
            case CREATE_CONTAINER -> f.buf(utf8("x")).openAcl().i(4);
            case CREATE_TTL -> f.buf(utf8("x")).openAcl().i(5).l(60_000);
            case DELETE, CHECK -> f.i(-1);
            case EXISTS, GET_DATA, GET_CHILDREN, GET_CHILDREN2 -> f.bool(true);
            case SET_DATA -> f.buf(utf8("x")).i(-1);
            case SET_ACL -> f.openAcl().i(-1);
            case CHECK_WATCHES, REMOVE_WATCHES -> f.i(3);
            case ADD_WATCH -> f.i(1);
            case GET_ACL, SYNC, GET_EPHEMERALS, GET_ALL_CHILDREN_NUMBER -> {
            }
            default -> throw new IllegalArgumentException("not a path-first op: " + op);
        }
    }

    /** {@code multi} (or {@code multiRead}) of {@code (op, path)} pairs, each a well-formed sub-record. */
    static byte[] multi(int xid, OpCode multi, Object... opAndPath) {
        RawFrames f = request(xid, multi.code());
        for (int i = 0; i < opAndPath.length; i += 2) {
            OpCode op = (OpCode) opAndPath[i];
            f.i(op.code()).bool(false).i(-1);
            writePathRecord(f, op, (byte[]) opAndPath[i + 1], 0);
        }
        return f.i(-1).bool(true).i(-1).frame();
    }

    /** {@code setWatches} (3 lists) or {@code setWatches2} (5 lists) with {@code path} in list {@code which}. */
    static byte[] setWatches(int xid, OpCode op, long relativeZxid, int which, byte[]... paths) {
        int lists = op == OpCode.SET_WATCHES2 ? 5 : 3;
        RawFrames f = request(xid, op.code()).l(relativeZxid);
        for (int list = 0; list < lists; list++) {
            if (list == which) {
                f.strings(paths);
            } else {
                f.strings();
            }
        }
        return f.frame();
    }
}
