package io.zktenantproxy.protocol.fuzz;

import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The oracle for what the client must receive for one server frame: an independent rewrite by the
 * {@code zookeeper.jute} layouts, following ZooKeeper's client ({@code ClientCnxn}): notifications, pings and auth
 * replies are not queued; every other reply answers the oldest pending request; a body is read only when
 * {@code err == 0}. Paths are stripped only at a {@code /} boundary; a path outside the chroot refuses the frame,
 * except in a getEphemerals result, where it is filtered out.
 */
final class ReplyOracle {
    record Pending(int xid, OpCode op, boolean proxyOwned) {
    }

    /** Either {@code refused} says why the proxy must close, or {@code delivered} is what the client gets. */
    record Outcome(String refused, byte[] delivered) {
    }

    private static final int STAT_BYTES = 68;

    /** A server path outside the chroot. */
    private static final class Outside extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Outside() {
            super(null, null, false, false);
        }
    }

    private final byte[] root;
    private final ArrayDeque<Pending> pending;

    ReplyOracle(String root, ArrayDeque<Pending> pending) {
        this.root = root.getBytes(StandardCharsets.UTF_8);
        this.pending = pending;
    }

    /** @param frame a whole server frame, length included, after the handshake */
    Outcome expect(byte[] frame) {
        try {
            ByteReader r = new ByteReader(frame, Integer.BYTES, frame.length);
            int xid = r.readInt();
            r.readLong();
            int err = r.readInt();
            byte[] header = Arrays.copyOfRange(frame, Integer.BYTES, Integer.BYTES + 16);
            if (xid == -1) {
                int type = r.readInt();
                int state = r.readInt();
                byte[] path = strip(r.readBytes());
                r.expectEnd();
                return delivered(header, RawFrame.body().i(type, state).buf(path).bytes());
            }
            if (xid == -2 || xid == -4) {
                return new Outcome(null, frame);
            }
            Pending head = pending.peekFirst();
            if (head == null || head.xid() != xid) {
                return new Outcome("reply xid " + xid + " out of order", null);
            }
            pending.removeFirst();
            if (head.proxyOwned()) {
                return new Outcome(null, new byte[0]);
            }
            if (err != 0) {
                return delivered(header);
            }
            return switch (head.op().reply()) {
                case NONE, OPAQUE, ACL_LIST, CLIENT_INFO -> new Outcome(null, frame); // no identities here
                case CREATE_PATH, SYNC_PATH -> {
                    byte[] path = strip(r.readBytes());
                    r.expectEnd();
                    yield delivered(header, ustring(path));
                }
                case CREATE2_PATH -> {
                    byte[] path = strip(r.readBytes());
                    byte[] stat = raw(r, STAT_BYTES);
                    r.expectEnd();
                    yield delivered(header, ustring(path), stat);
                }
                case MULTI -> delivered(header, multi(r));
                case EPHEMERALS -> delivered(header, ephemerals(r));
            };
        } catch (ByteReader.Malformed e) {
            return new Outcome("malformed: " + e.getMessage(), null);
        } catch (Outside e) {
            return new Outcome("path outside the chroot", null);
        }
    }

    private byte[] multi(ByteReader r) {
        RawFrame out = RawFrame.body();
        while (true) {
            int type = r.readInt();
            boolean done = r.readBool();
            int err = r.readInt();
            out.i(type).bool(done).i(err);
            if (done) {
                r.expectEnd();
                return out.bytes();
            }
            if (type == -1) {
                out.i(r.readInt());
                continue;
            }
            OpCode op = OpCode.of(type);
            if (op == null) {
                throw new ByteReader.Malformed("result type " + type);
            }
            switch (op) {
                case CREATE -> out.buf(strip(r.readBytes()));
                case CREATE2, CREATE_TTL, CREATE_CONTAINER -> out.buf(strip(r.readBytes())).raw(raw(r, STAT_BYTES));
                case SET_DATA -> out.raw(raw(r, STAT_BYTES));
                case DELETE, CHECK -> {
                }
                default -> throw new ByteReader.Malformed("result type " + type + " in a multi");
            }
        }
    }

    private byte[] ephemerals(ByteReader r) {
        RawFrame out = RawFrame.body();
        int count = r.readInt();
        if (count < -1) {
            throw new ByteReader.Malformed("count " + count);
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            byte[] path = r.readBytes();
            if (path != null && inChroot(path)) {
                out.buf(strip(path));
                kept++;
            }
        }
        r.expectEnd();
        return RawFrame.body().i(count > 0 ? kept : count).raw(out.bytes()).bytes();
    }

    private boolean inChroot(byte[] path) {
        if (path.length < root.length || !Arrays.equals(path, 0, root.length, root, 0, root.length)) {
            return false;
        }
        return path.length == root.length || path[root.length] == '/';
    }

    /** The client path for a server path; {@link Outside} unless the chroot or under {@code chroot + "/"}. */
    private byte[] strip(byte[] path) {
        if (path == null || !inChroot(path)) {
            throw new Outside();
        }
        return path.length == root.length ? new byte[] {'/'} : Arrays.copyOfRange(path, root.length, path.length);
    }

    private static byte[] raw(ByteReader r, int n) {
        int from = r.position();
        r.skip(n);
        return Arrays.copyOfRange(r.bytes(), from, from + n);
    }

    private static byte[] ustring(byte[] s) {
        return RawFrame.body().buf(s).bytes();
    }

    private static Outcome delivered(byte[]... parts) {
        return new Outcome(null, JuteFrames.frame(JuteFrames.concat(parts)));
    }
}
