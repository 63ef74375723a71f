package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;

/** TEMPORARY: frames written with the official jute records; replaced by the shared wire test kit. */
final class Frames {
    static final long SESSION_ID = 0x1234L;
    static final byte[] CONNECT_REQUEST = frame(new ConnectRequest(0, 0, 30_000, 0, new byte[16], false));
    static final byte[] CONNECT_RESPONSE = frame(new ConnectResponse(0, 30_000, SESSION_ID, new byte[16], false));
    static final Stat STAT = new Stat(1, 2, 3, 4, 5, 6, 7, 0, 1, 0, 8);

    private Frames() {
    }

    static byte[] frame(Record... records) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            BinaryOutputArchive out = BinaryOutputArchive.getArchive(bytes);
            for (Record r : records) {
                if (r != null) {
                    r.serialize(out, "r");
                }
            }
            byte[] body = bytes.toByteArray();
            return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] getData(int xid, String path) {
        return frame(new RequestHeader(xid, ZooDefs.OpCode.getData), new GetDataRequest(path, false));
    }

    static byte[] create(int xid, String path) {
        return frame(new RequestHeader(xid, ZooDefs.OpCode.create),
                new CreateRequest(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0));
    }

    static byte[] reply(int xid, long zxid, int err, Record body) {
        return frame(new ReplyHeader(xid, zxid, err), body);
    }

    static ReplyHeader replyHeader(byte[] frame) {
        ReplyHeader header = new ReplyHeader();
        read(frame, header);
        return header;
    }

    static void read(byte[] frame, Record... records) {
        try {
            BinaryInputArchive in = BinaryInputArchive.getArchive(new DataInputStream(
                    new ByteArrayInputStream(frame, 4, frame.length - 4)));
            for (Record r : records) {
                r.deserialize(in, "r");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] withTrailingBytes(byte[] frame, int extra) {
        byte[] padded = Arrays.copyOf(frame, frame.length + extra);
        ByteBuffer.wrap(padded).putInt(0, padded.length - 4);
        return padded;
    }

    static byte[] concat(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    static List<String> hexes(List<byte[]> frames) {
        return frames.stream().map(Frames::hex).toList();
    }
}
