package io.zktenantproxy.protocol.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;

/**
 * Reads frames with ZooKeeper's own jute records ({@link BinaryInputArchive}): the independent reader the golden
 * tests check the proxy's output with, and what {@link ServerReply} decodes reply bodies with. A "frame" has its
 * 4-byte length; a "packet" is what follows the length.
 */
public final class JuteReader {
    private JuteReader() {
    }

    /**
     * Reads a whole frame: the length field must match, then each record in turn, and nothing may be left. A
     * header-only frame is read with the header record alone.
     */
    public static void read(byte[] frame, Record... records) {
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

    /** Reads a whole request frame into {@code header}; returns the body, a fresh {@code type}. */
    public static <T extends Record> T readRequest(byte[] frame, RequestHeader header, Class<T> type) {
        T body = newRecord(type);
        read(frame, header, body);
        return body;
    }

    /** The {@code ReplyHeader} of a server frame; the body, if any, is not read. */
    public static ReplyHeader replyHeader(byte[] frame) {
        return readFirst(frame, Integer.BYTES, new ReplyHeader());
    }

    /** Reads {@code record} from the start of {@code packet} and returns it; whatever follows is not read. */
    public static <T extends Record> T readFirst(byte[] packet, T record) {
        return readFirst(packet, 0, record);
    }

    /** A record with every field at its default, to deserialise into. */
    public static <T extends Record> T newRecord(Class<T> type) {
        try {
            return type.getConstructor().newInstance();
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException
                 | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes in hex, for comparing frames in an assertion: a mismatch shows where they differ. */
    public static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }

    /** Each frame in hex, in order: {@link #hex} for a list of frames. */
    public static List<String> hexes(List<byte[]> frames) {
        return frames.stream().map(JuteReader::hex).toList();
    }

    private static <T extends Record> T readFirst(byte[] bytes, int offset, T record) {
        ByteArrayInputStream in = new ByteArrayInputStream(bytes, offset, bytes.length - offset);
        try {
            record.deserialize(BinaryInputArchive.getArchive(in), "record");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return record;
    }
}
