package io.zktenantproxy.protocol.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;

/**
 * Whole frames (4-byte length included) serialized by ZooKeeper's own jute records, so the fuzz harnesses and the
 * seed corpus start from bytes a real client or server would send, not from the proxy's own encoder.
 */
final class Frames {
    static final List<ACL> OPEN = List.of(new ACL(31, new Id("world", "anyone")));
    static final byte[] PASSWD = new byte[16];

    private Frames() {
    }

    /** Serializes {@code records} back to back, without a length. */
    static byte[] body(Record... records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryOutputArchive out = BinaryOutputArchive.getArchive(bytes);
        try {
            for (Record r : records) {
                r.serialize(out, "r");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code records} as one frame: length, then the records. */
    static byte[] frame(Record... records) {
        return withLength(body(records));
    }

    static byte[] withLength(byte[] body) {
        return ByteBuffer.allocate(Integer.BYTES + body.length).putInt(body.length).put(body).array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] connectRequest(long sessionId) {
        return frame(new ConnectRequest(0, 0, 30_000, sessionId, PASSWD, false));
    }

    static byte[] connectResponse(long sessionId) {
        return frame(new ConnectResponse(0, 30_000, sessionId, PASSWD, false));
    }

    /** A request: {@code RequestHeader{xid, type}} and its body record (none for a bodiless request). */
    static byte[] request(int xid, int type, Record... body) {
        Record[] all = new Record[body.length + 1];
        all[0] = new RequestHeader(xid, type);
        System.arraycopy(body, 0, all, 1, body.length);
        return frame(all);
    }

    /** A reply: {@code ReplyHeader{xid, zxid, err}} and its body records. */
    static byte[] reply(int xid, long zxid, int err, Record... body) {
        Record[] all = new Record[body.length + 1];
        all[0] = new ReplyHeader(xid, zxid, err);
        System.arraycopy(body, 0, all, 1, body.length);
        return frame(all);
    }

    /** The records of a {@code MultiOperationRecord} or {@code MultiResponse}: each op after its header, then the end. */
    static Record[] multi(Object... typeAndRecord) {
        Record[] out = new Record[typeAndRecord.length + 1];
        for (int i = 0; i < typeAndRecord.length; i += 2) {
            int type = (Integer) typeAndRecord[i];
            out[i] = new MultiHeader(type, false, -1);
            out[i + 1] = (Record) typeAndRecord[i + 1];
        }
        out[typeAndRecord.length] = new MultiHeader(-1, true, -1);
        return out;
    }

    static Stat stat() {
        return new Stat(1, 2, 3, 4, 5, 6, 7, 0, 8, 9, 10);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
