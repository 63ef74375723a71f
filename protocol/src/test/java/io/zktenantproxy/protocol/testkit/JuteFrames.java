package io.zktenantproxy.protocol.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;

/**
 * Well-formed frames as a real client or server writes them: ZooKeeper's own jute records
 * ({@code org.apache.zookeeper.proto}, {@code zookeeper.jute}) serialised by {@link BinaryOutputArchive}, behind the
 * 4-byte big-endian length. Every suite builds its valid frames here, so the bytes a test starts from never come from
 * the proxy's own encoder; malformed ones come from {@link RawFrame}, and {@link JuteReader} reads frames back.
 *
 * <pre>
 * frame:   int length | records...
 * request: int length | RequestHeader{int xid, int type} | body record
 * reply:   int length | ReplyHeader{int xid, long zxid, int err} | body records
 * </pre>
 */
public final class JuteFrames {
    /** The session timeout every test handshake asks for and every test server grants, ms. */
    public static final int SESSION_TIMEOUT_MS = 30_000;

    private JuteFrames() {
    }

    /** The records serialised back to back, without a length. */
    public static byte[] bytes(Record... records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryOutputArchive archive = BinaryOutputArchive.getArchive(bytes);
        try {
            for (Record record : records) {
                record.serialize(archive, "record");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code body} behind its 4-byte big-endian length. */
    public static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(Integer.BYTES + body.length).putInt(body.length).put(body).array();
    }

    /** The records as one frame: length, then the records. */
    public static byte[] frame(Record... records) {
        return frame(bytes(records));
    }

    /** A client frame: {@code RequestHeader{xid, type}}, then the body records (none for a bodiless request). */
    public static byte[] request(int xid, int type, Record... body) {
        return frame(prepend(new RequestHeader(xid, type), body));
    }

    /** A server frame: {@code ReplyHeader{xid, zxid, err}}, then the body records. */
    public static byte[] reply(int xid, long zxid, int err, Record... body) {
        return frame(prepend(new ReplyHeader(xid, zxid, err), body));
    }

    /**
     * The records of a {@code MultiOperationRecord} or {@code MultiResponse}, as ZooKeeper's own classes write them:
     * each op's record after its {@code MultiHeader{type, false, -1}}, then the end marker {@code {-1, true, -1}}.
     */
    public static Record[] multi(List<SubOp> ops) {
        List<Record> records = new ArrayList<>();
        for (SubOp op : ops) {
            records.add(new MultiHeader(op.type(), false, -1));
            records.add(op.body());
        }
        records.add(new MultiHeader(-1, true, -1));
        return records.toArray(new Record[0]);
    }

    /** A {@code ConnectRequest} opening a new session: no zxid seen, a zero password, {@link #SESSION_TIMEOUT_MS}. */
    public static byte[] connectRequest() {
        return connectRequest(0, new byte[16]);
    }

    /** A {@code ConnectRequest} resuming {@code sessionId} (0: a new session) with {@link #SESSION_TIMEOUT_MS}. */
    public static byte[] connectRequest(long sessionId, byte[] passwd) {
        return connectRequest(sessionId, passwd, SESSION_TIMEOUT_MS);
    }

    /** A {@code ConnectRequest} (protocol version 0, no zxid seen, not read-only) for {@code sessionId}, 0 for new. */
    public static byte[] connectRequest(long sessionId, byte[] passwd, int timeoutMs) {
        return frame(new ConnectRequest(0, 0, timeoutMs, sessionId, passwd, false));
    }

    /** A {@code ConnectResponse} granting {@code sessionId} with a zero password and {@link #SESSION_TIMEOUT_MS}. */
    public static byte[] connectResponse(long sessionId) {
        return frame(new ConnectResponse(0, SESSION_TIMEOUT_MS, sessionId, new byte[16], false));
    }

    /** The parts back to back (several frames in one write, or a body put together from pieces). */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static Record[] prepend(Record header, Record[] body) {
        Record[] all = new Record[body.length + 1];
        all[0] = header;
        System.arraycopy(body, 0, all, 1, body.length);
        return all;
    }
}
