package io.zktenantproxy.protocol;

import static io.zktenantproxy.protocol.testkit.JuteReader.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.protocol.testkit.SubOp;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.jute.Record;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetDataRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden bytes, client to server: each request is serialised by the official jute records, run through a
 * {@link TenantConnection}, and what goes upstream must be byte for byte what jute writes for the same records with
 * the chroot prepended (or the very bytes the client sent, where nothing is a path), and jute must read it back.
 */
class GoldenRequestTest {

    static List<GoldenCases.Request> cases() {
        return GoldenCases.requests();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void requestIsRewrittenAsJuteWouldWriteIt(GoldenCases.Request c) {
        try (ConnectionDriver session = ConnectionDriver.established()) {
            ConnectionDriver.Sent sent = session.client(c.client());
            if (c.forwarded()) {
                RequestOutcome.Forward forward = assertInstanceOf(RequestOutcome.Forward.class, sent.result());
                assertEquals(c.xid(), forward.xid());
                assertEquals(c.op(), forward.op());
                assertEquals(hex(c.upstream()), hex(sent.upstream()));
                OpCode.RequestShape shape = c.op().request();
                boolean untouched = shape == OpCode.RequestShape.EMPTY || shape == OpCode.RequestShape.AUTH
                        || shape == OpCode.RequestShape.BUFFER;
                assertEquals(untouched, sent.sameBuffer(), "forwarded as the client's own buffer");
                readBack(c, sent.upstream());
                assertTrue(session.drainToClient().isEmpty(), "nothing for the client yet");
            } else {
                ConnectionDriver.Answered answered = sent.answered();
                assertEquals(c.xid(), answered.xid());
                assertEquals(c.err(), answered.err(), answered.reason());
                List<byte[]> replies = session.drainToClient();
                assertEquals(1, replies.size(), "answered at once: nothing else is pending");
                if (c.reply() != null) {
                    assertEquals(hex(JuteFrames.reply(c.xid(), 0, KeeperCode.OK, c.reply())), hex(replies.get(0)));
                } else if (c.err() == KeeperCode.OK) {
                    GetDataResponse config = new GetDataResponse();
                    JuteReader.read(replies.get(0), new ReplyHeader(), config);
                    assertEquals(new String(ConnectionDriver.ENSEMBLE_CONFIG), new String(config.getData()));
                    assertEquals(ConnectionDriver.ENSEMBLE_CONFIG.length, config.getStat().getDataLength());
                } else {
                    assertEquals(hex(JuteFrames.reply(c.xid(), 0, c.err())), hex(replies.get(0)));
                }
            }
        }
    }

    /** Our decoder reads theirs (above); here jute reads ours: header, body, nothing left. */
    private static void readBack(GoldenCases.Request c, byte[] upstream) {
        RequestHeader header = new RequestHeader();
        if (c.op() == OpCode.MULTI || c.op() == OpCode.MULTI_READ) {
            MultiOperationRecord multi = new MultiOperationRecord();
            JuteReader.read(upstream, header, multi);
            for (Op op : multi) {
                assertTrue(op.getPath().equals(ConnectionDriver.CHROOT)
                        || op.getPath().startsWith(ConnectionDriver.CHROOT + "/"), op.getPath());
            }
        } else if (c.upstreamBody() != null) {
            Record body = JuteReader.readRequest(upstream, header, c.upstreamBody().getClass());
            assertEquals(c.upstreamBody(), body);
        } else {
            JuteReader.read(upstream, header);
        }
        assertEquals(c.xid(), header.getXid());
        assertEquals(c.op().code(), header.getType());
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 23, 99, 108, 999, -2, -12, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void opcodeZooKeeperLacksIsAnsweredUnimplemented(int type) {
        try (ConnectionDriver session = ConnectionDriver.established()) {
            ConnectionDriver.Answered answered = session.client(JuteFrames.request(GoldenCases.XID, type)).answered();
            assertEquals(KeeperCode.UNIMPLEMENTED, answered.err());
            assertEquals(type, answered.opCode());
            assertEquals(hex(JuteFrames.reply(GoldenCases.XID, 0, KeeperCode.UNIMPLEMENTED)),
                    hex(session.drainToClient().get(0)));
        }
    }

    @Test
    void everyOpcodeHasAGoldenCase() {
        Set<OpCode> covered = cases().stream().map(GoldenCases.Request::op).collect(Collectors.toSet());
        assertEquals(EnumSet.allOf(OpCode.class), covered);
    }

    /** The opcode table is ZooKeeper's own: same names, same codes, nothing missing either side. */
    @Test
    void opcodeTableMatchesZooDefs() throws IllegalAccessException {
        Map<String, Integer> theirs = new HashMap<>();
        for (Field field : ZooDefs.OpCode.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                theirs.put(field.getName().toLowerCase(Locale.ROOT), field.getInt(null));
            }
        }
        Map<String, Integer> ours = new HashMap<>();
        for (OpCode op : OpCode.values()) {
            ours.put(op.name().replace("_", "").toLowerCase(Locale.ROOT), op.code());
            assertEquals(op, OpCode.of(op.code()));
        }
        assertEquals(new TreeMap<>(theirs), new TreeMap<>(ours));
    }

    /** The kit's multi writer agrees with ZooKeeper's MultiOperationRecord, so the multi cases are golden. */
    @Test
    void multiHelperWritesWhatMultiOperationRecordWrites() throws Exception {
        List<Op> ops = new ArrayList<>(List.of(
                Op.create("/a", GoldenCases.DATA, GoldenCases.ACLS, 0),
                Op.create("/t", GoldenCases.DATA, GoldenCases.ACLS, 5, 1000),
                Op.delete("/a", 3), Op.setData("/a", GoldenCases.DATA, 1), Op.check("/a", 2)));
        byte[] official = JuteFrames.bytes(new MultiOperationRecord(ops));
        byte[] ours = JuteFrames.bytes(JuteFrames.multi(List.of(
                new SubOp(OpCode.CREATE, new CreateRequest("/a", GoldenCases.DATA, GoldenCases.ACLS, 0)),
                new SubOp(OpCode.CREATE_TTL, new CreateTTLRequest("/t", GoldenCases.DATA, GoldenCases.ACLS, 5, 1000)),
                new SubOp(OpCode.DELETE, new DeleteRequest("/a", 3)),
                new SubOp(OpCode.SET_DATA, new SetDataRequest("/a", GoldenCases.DATA, 1)),
                new SubOp(OpCode.CHECK, new CheckVersionRequest("/a", 2)))));
        assertEquals(hex(official), hex(ours));
    }
}
