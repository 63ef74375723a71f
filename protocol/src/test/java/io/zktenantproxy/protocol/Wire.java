package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;

/**
 * Frames built and read with the official jute classes ({@link BinaryOutputArchive}, {@link BinaryInputArchive}):
 * the reference every golden test compares the proxy's bytes against.
 */
final class Wire {
    private Wire() {
    }

    /** The records serialised back to back, as a client or server would write them. */
    static byte[] bytes(Record... records) {
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
    static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(Integer.BYTES + body.length).putInt(body.length).put(body).array();
    }

    static byte[] frame(Record... records) {
        return frame(bytes(records));
    }

    /** A client frame: {@code RequestHeader} then the body records. */
    static byte[] request(int xid, int type, Record... body) {
        return frame(concat(bytes(new RequestHeader(xid, type)), bytes(body)));
    }

    /** A server frame: {@code ReplyHeader} then the body records. */
    static byte[] reply(int xid, long zxid, int err, Record... body) {
        return frame(concat(bytes(new ReplyHeader(xid, zxid, err)), bytes(body)));
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }

    /**
     * Reads a whole frame with jute: the length must match, then each record in turn, and nothing may be left.
     * A null record is skipped by reading nothing (a header-only frame is read with one record).
     */
    static void read(byte[] frame, Record... records) {
        ByteArrayInputStream in = new ByteArrayInputStream(frame);
        BinaryInputArchive archive = BinaryInputArchive.getArchive(in);
        try {
            assertEquals(frame.length - Integer.BYTES, archive.readInt("length"), "frame length field");
            for (Record record : records) {
                record.deserialize(archive, "record");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(0, in.available(), "bytes left after the jute records");
    }

    /** Reads a request frame with jute; returns the body decoded as a fresh {@code type}. */
    static <T extends Record> T readRequest(byte[] frame, RequestHeader header, Class<T> type) {
        T body = newRecord(type);
        read(frame, header, body);
        return body;
    }

    static ReplyHeader readReplyHeader(byte[] frame) {
        ReplyHeader header = new ReplyHeader();
        ByteArrayInputStream in = new ByteArrayInputStream(frame, Integer.BYTES, frame.length - Integer.BYTES);
        try {
            header.deserialize(BinaryInputArchive.getArchive(in), "header");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return header;
    }

    static <T extends Record> T newRecord(Class<T> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
                 | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }
}
