package io.zktenantproxy.protocol.testkit;

import io.zktenantproxy.protocol.OpCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.MultiHeader;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.WatcherEvent;

/**
 * One server packet as a client reads it: the {@code ReplyHeader} fields and the body bytes after them, the body
 * decoded on demand with ZooKeeper's own jute records ({@link JuteReader}).
 *
 * @param body the bytes after the header, as the server sent them
 */
public record ServerReply(int xid, long zxid, int err, byte[] body) {
    private static final int HEADER_BYTES = Integer.BYTES + Long.BYTES + Integer.BYTES;

    /** @param packet a server frame after its 4-byte length */
    public static ServerReply read(byte[] packet) {
        ReplyHeader header = JuteReader.readFirst(packet, new ReplyHeader());
        return new ServerReply(header.getXid(), header.getZxid(), header.getErr(),
                Arrays.copyOfRange(packet, HEADER_BYTES, packet.length));
    }

    /** The body read into {@code record} (a {@code GetDataResponse}, say); bytes after it are not read. */
    public <T extends Record> T decode(T record) {
        return JuteReader.readFirst(body, record);
    }

    /** The body's leading path: {@code CreateResponse}, {@code Create2Response} or {@code SyncResponse}. */
    public String path() {
        return decode(new CreateResponse()).getPath();
    }

    /** The body's {@code vector<ustring>} ({@code GetChildrenResponse}, {@code GetEphemeralsResponse}); none for -1. */
    public List<String> strings() {
        List<String> strings = decode(new GetChildrenResponse()).getChildren();
        return strings == null ? List.of() : strings;
    }

    /** A notification's {@code WatcherEvent.path}. */
    public String eventPath() {
        return decode(new WatcherEvent()).getPath();
    }

    /**
     * @return the error code of each {@code ErrorResult} in a {@code MultiResponse} body made only of them (a failed
     *         multi), in order
     * @throws AssertionError if a result is anything but an {@code ErrorResult} whose {@code ErrorResponse} repeats
     *                        its header's err, or bytes follow the end marker
     */
    public List<Integer> multiErrors() {
        ByteArrayInputStream in = new ByteArrayInputStream(body);
        BinaryInputArchive archive = BinaryInputArchive.getArchive(in);
        List<Integer> errs = new ArrayList<>();
        try {
            while (true) {
                MultiHeader header = new MultiHeader();
                header.deserialize(archive, "header");
                if (header.getDone()) {
                    if (in.available() > 0) {
                        throw new AssertionError("bytes after the MultiResponse end marker");
                    }
                    return errs;
                }
                if (header.getType() != OpCode.ERROR.code()) {
                    throw new AssertionError("result of type " + header.getType() + " in a failed multi");
                }
                ErrorResponse result = new ErrorResponse();
                result.deserialize(archive, "result");
                if (result.getErr() != header.getErr()) {
                    throw new AssertionError("ErrorResponse " + result.getErr() + " under MultiHeader err "
                            + header.getErr());
                }
                errs.add(header.getErr());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
