package io.zktenantproxy.protocol.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.zktenantproxy.protocol.ConnectRequest;
import io.zktenantproxy.protocol.Jute;
import io.zktenantproxy.protocol.OpCode;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.jute.Record;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetChildren2Request;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetSASLRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SyncRequest;

/**
 * What must hold for any frame the proxy writes upstream, however broken the client's input was: its length field
 * is right, its opcode is one the proxy forwards, jute reads it whole, and every path in it is the chroot or lies
 * under {@code chroot + "/"} ({@link GoldenCases#CHROOT}). The fuzz tests check every forwarded frame against this.
 */
public final class UpstreamInvariants {
    private static final Map<OpCode, Class<? extends Record>> PATH_RECORDS = Map.ofEntries(
            Map.entry(OpCode.CREATE, CreateRequest.class), Map.entry(OpCode.CREATE2, CreateRequest.class),
            Map.entry(OpCode.CREATE_CONTAINER, CreateRequest.class), Map.entry(OpCode.CREATE_TTL,
                    CreateTTLRequest.class),
            Map.entry(OpCode.DELETE, DeleteRequest.class), Map.entry(OpCode.EXISTS, ExistsRequest.class),
            Map.entry(OpCode.GET_DATA, GetDataRequest.class), Map.entry(OpCode.SET_DATA, SetDataRequest.class),
            Map.entry(OpCode.GET_ACL, GetACLRequest.class), Map.entry(OpCode.SET_ACL, SetACLRequest.class),
            Map.entry(OpCode.GET_CHILDREN, GetChildrenRequest.class),
            Map.entry(OpCode.GET_CHILDREN2, GetChildren2Request.class), Map.entry(OpCode.SYNC, SyncRequest.class),
            Map.entry(OpCode.CHECK, CheckVersionRequest.class),
            Map.entry(OpCode.CHECK_WATCHES, CheckWatchesRequest.class),
            Map.entry(OpCode.REMOVE_WATCHES, RemoveWatchesRequest.class),
            Map.entry(OpCode.GET_EPHEMERALS, GetEphemeralsRequest.class),
            Map.entry(OpCode.GET_ALL_CHILDREN_NUMBER, GetAllChildrenNumberRequest.class),
            Map.entry(OpCode.ADD_WATCH, AddWatchRequest.class));

    private UpstreamInvariants() {
    }

    /** @param connect whether this is the session's first frame, the client's ConnectRequest */
    public static void check(byte[] frame, boolean connect) {
        assertEquals(frame.length - Integer.BYTES, ByteBuffer.wrap(frame).getInt(), "length field");
        if (connect) {
            ConnectRequest.decode(Unpooled.wrappedBuffer(frame));
            return;
        }
        RequestHeader header = new RequestHeader();
        // the opcode decides the rest
        JuteReader.read(RawFrame.resized(frame, Integer.BYTES + Jute.REQUEST_HEADER_BYTES), header);
        OpCode op = OpCode.of(header.getType());
        assertNotNull(op, "forwarded an unknown opcode " + header.getType());
        assertTrue(op.forwardable(), "forwarded " + op);
        List<String> paths = new ArrayList<>();
        switch (op.request()) {
            case EMPTY -> JuteReader.read(frame, new RequestHeader());
            case AUTH -> JuteReader.read(frame, new RequestHeader(), new AuthPacket());
            case BUFFER -> JuteReader.read(frame, new RequestHeader(), new GetSASLRequest());
            case MULTI, MULTI_READ -> {
                MultiOperationRecord multi = new MultiOperationRecord();
                JuteReader.read(frame, new RequestHeader(), multi);
                for (Op sub : multi) {
                    paths.add(sub.getPath());
                }
            }
            case SET_WATCHES -> {
                SetWatches w = JuteReader.readRequest(frame, new RequestHeader(), SetWatches.class);
                Stream.of(w.getDataWatches(), w.getExistWatches(), w.getChildWatches()).forEach(paths::addAll);
            }
            case SET_WATCHES2 -> {
                SetWatches2 w = JuteReader.readRequest(frame, new RequestHeader(), SetWatches2.class);
                Stream.of(w.getDataWatches(), w.getExistWatches(), w.getChildWatches(), w.getPersistentWatches(),
                        w.getPersistentRecursiveWatches()).forEach(paths::addAll);
            }
            default -> {
                Record body = JuteReader.readRequest(frame, new RequestHeader(), PATH_RECORDS.get(op));
                paths.add(path(body));
            }
        }
        for (String path : paths) {
            assertTrue(path != null && (path.equals(GoldenCases.CHROOT) || path.startsWith(GoldenCases.CHROOT + "/")),
                    op + " forwarded path outside the chroot: " + path);
        }
    }

    private static String path(Record body) {
        String getter = body instanceof GetEphemeralsRequest ? "getPrefixPath" : "getPath";
        try {
            return (String) body.getClass().getMethod(getter).invoke(body);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }
}
