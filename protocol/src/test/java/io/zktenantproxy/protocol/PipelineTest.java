package io.zktenantproxy.protocol;

import static io.zktenantproxy.protocol.GoldenRequestTest.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link FrameDecoder} and {@link TenantConnection} together in {@link EmbeddedChannel}s, fed whole conversations at
 * once, one byte at a time, truncated, oversized, with unknown opcodes and bytes left over in a frame. Each test ends
 * with nothing left in either channel and every buffer released.
 */
@ExtendWith(ParanoidLeakDetection.class)
class PipelineTest {
    private static final String C = ConnectionDriver.CHROOT;
    private ProxyPipeline proxy = new ProxyPipeline();

    @AfterEach
    void nothingLeftNothingLeaked() {
        assertFalse(proxy.finish(), "unread messages left in a channel");
        proxy.alloc.assertAllReleased();
    }

    /** Client side of a short conversation: connect, a read, a bad path, an unknown opcode, a create. */
    private static final byte[] CLIENT = JuteFrames.concat(
            ConnectionDriver.CONNECT_REQUEST,
            JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest("/a", true)),
            JuteFrames.request(2, OpCode.CREATE.code(), new CreateRequest("/a/", null, GoldenCases.ACLS, 0)),
            JuteFrames.request(3, 777),
            JuteFrames.request(4, OpCode.CREATE.code(), new CreateRequest("/", GoldenCases.DATA, GoldenCases.ACLS, 2)));

    private static final byte[] SERVER = JuteFrames.concat(
            ConnectionDriver.CONNECT_RESPONSE,
            JuteFrames.reply(1, 10, 0, new GetDataResponse(GoldenCases.DATA, GoldenCases.STAT)),
            JuteFrames.reply(4, 11, 0, new CreateResponse(C + "/0000000000")));

    private static final List<byte[]> EXPECTED_UPSTREAM = List.of(
            ConnectionDriver.CONNECT_REQUEST,
            JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest(C + "/a", true)),
            JuteFrames.request(4, OpCode.CREATE.code(), new CreateRequest(C + "/", GoldenCases.DATA, GoldenCases.ACLS, 2)));

    private static final List<byte[]> EXPECTED_TO_CLIENT = List.of(
            ConnectionDriver.CONNECT_RESPONSE,
            JuteFrames.reply(1, 10, 0, new GetDataResponse(GoldenCases.DATA, GoldenCases.STAT)),
            JuteFrames.reply(2, 10, KeeperCode.BAD_ARGUMENTS),
            JuteFrames.reply(3, 10, KeeperCode.UNIMPLEMENTED),
            JuteFrames.reply(4, 11, 0, new CreateResponse("/0000000000")));

    private static List<String> hexes(List<byte[]> frames) {
        return frames.stream().map(GoldenRequestTest::hex).toList();
    }

    @Test
    void wholeConversationAtOnce() {
        proxy.fromClient(CLIENT);
        assertEquals(hexes(EXPECTED_UPSTREAM), hexes(proxy.toUpstream()));
        assertTrue(proxy.toClient().isEmpty(), "local answers wait for the ConnectResponse and xid 1");
        proxy.fromServer(SERVER);
        assertEquals(hexes(EXPECTED_TO_CLIENT), hexes(proxy.toClient()));
    }

    @Test
    void wholeConversationOneByteAtATime() {
        for (byte b : CLIENT) {
            proxy.fromClient(new byte[] {b});
        }
        for (byte b : SERVER) {
            proxy.fromServer(new byte[] {b});
        }
        assertEquals(hexes(EXPECTED_UPSTREAM), hexes(proxy.toUpstream()));
        assertEquals(hexes(EXPECTED_TO_CLIENT), hexes(proxy.toClient()));
    }

    @Test
    void unknownOpcodeIsAnsweredUnimplementedInXidOrder() {
        proxy.fromClient(ConnectionDriver.CONNECT_REQUEST);
        proxy.fromServer(ConnectionDriver.CONNECT_RESPONSE);
        proxy.fromClient(JuteFrames.concat(JuteFrames.request(1, OpCode.EXISTS.code(), new GetDataRequest("/a", false)),
                JuteFrames.request(2, 55, new GetDataRequest("/a", false))));
        assertEquals(2, proxy.toUpstream().size(), "the ConnectRequest and xid 1; xid 2 never goes upstream");
        assertEquals(1, proxy.toClient().size(), "only the ConnectResponse: xid 2 waits for xid 1");
        proxy.fromServer(JuteFrames.reply(1, 3, KeeperCode.NO_NODE));
        List<byte[]> replies = proxy.toClient();
        assertEquals(hexes(List.of(JuteFrames.reply(1, 3, KeeperCode.NO_NODE), JuteFrames.reply(2, 3, KeeperCode.UNIMPLEMENTED))),
                hexes(replies));
    }

    @Test
    void truncatedConversationForwardsOnlyWholeFrames() {
        proxy.fromClient(Arrays.copyOf(CLIENT, ConnectionDriver.CONNECT_REQUEST.length + 10));
        assertEquals(1, proxy.toUpstream().size());
        proxy.fromServer(Arrays.copyOf(SERVER, 7));
        assertTrue(proxy.toClient().isEmpty());
    }

    @Test
    void bytesLeftOverInAFrameAreTrailingBytes() {
        proxy.fromClient(ConnectionDriver.CONNECT_REQUEST);
        byte[] request = JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest("/a", false));
        byte[] padded = Arrays.copyOf(request, request.length + 3);
        Unpooled.wrappedBuffer(padded).setInt(0, padded.length - Integer.BYTES);
        ProtocolException e = assertThrows(ProtocolException.class, () -> proxy.fromClient(padded));
        assertEquals(ProtocolException.Kind.TRAILING_BYTES, e.kind());
        assertEquals(1, proxy.toUpstream().size(), "only the ConnectRequest went upstream");
    }

    @Test
    void bytesLeftOverInAReplyAreTrailingBytes() {
        proxy.fromClient(JuteFrames.concat(ConnectionDriver.CONNECT_REQUEST, GoldenCases.canonical(OpCode.CREATE).client()));
        proxy.fromServer(ConnectionDriver.CONNECT_RESPONSE);
        byte[] reply = JuteFrames.concat(JuteFrames.reply(GoldenCases.XID, 1, 0, new CreateResponse(C + "/a")), new byte[2]);
        Unpooled.wrappedBuffer(reply).setInt(0, reply.length - Integer.BYTES);
        assertEquals(ProtocolException.Kind.TRAILING_BYTES,
                assertThrows(ProtocolException.class, () -> proxy.fromServer(reply)).kind());
        assertEquals(2, proxy.toUpstream().size());
        assertEquals(1, proxy.toClient().size(), "only the ConnectResponse reached the client");
    }

    @Test
    void recordShorterThanItsFrameSaysIsTruncated() {
        proxy.fromClient(ConnectionDriver.CONNECT_REQUEST);
        byte[] header = JuteFrames.frame(new RequestHeader(1, OpCode.GET_DATA.code()));
        byte[] lying = JuteFrames.concat(header, new byte[] {0, 0, 0, 9, '/', 'a'}); // path length 9, two bytes follow
        Unpooled.wrappedBuffer(lying).setInt(0, lying.length - Integer.BYTES);
        assertEquals(ProtocolException.Kind.TRUNCATED,
                assertThrows(ProtocolException.class, () -> proxy.fromClient(lying)).kind());
        assertEquals(1, proxy.toUpstream().size());
    }

    @Test
    void oversizedFrameFromEitherSideIsAFrameLength() {
        proxy = new ProxyPipeline(1024);
        proxy.fromClient(ConnectionDriver.CONNECT_REQUEST);
        byte[] big = JuteFrames.request(1, OpCode.SET_DATA.code(),
                new SetDataRequest("/a", new byte[2000], -1));
        assertEquals(ProtocolException.Kind.FRAME_LENGTH,
                assertThrows(ProtocolException.class, () -> proxy.fromClient(big)).kind());
        assertEquals(ProtocolException.Kind.FRAME_LENGTH,
                assertThrows(ProtocolException.class, () -> proxy.fromServer(new byte[] {0, 0, 8, 0})).kind());
        assertEquals(1, proxy.toUpstream().size());
    }

    @Test
    void fourLetterWordIsHandedOnAndNeverReachesTheConnection() {
        proxy.fromClient("mntr".getBytes(StandardCharsets.US_ASCII));
        assertEquals(new FourLetterWord("mntr"), proxy.client.readInbound());
        assertNull(proxy.client.readInbound());
        assertEquals(0, proxy.connection.inFlight(), "no handshake was started");
    }

    @Test
    void firstFrameThatIsNoConnectRequestIsAHandshakeError() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> proxy.fromClient(JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest("/a", false))));
        assertEquals(ProtocolException.Kind.HANDSHAKE, e.kind());
        assertTrue(proxy.toUpstream().isEmpty());
    }

    @Test
    void ensembleConfigIsServedByTheProxyInOrder() {
        proxy.fromClient(JuteFrames.concat(ConnectionDriver.CONNECT_REQUEST,
                JuteFrames.request(1, OpCode.SYNC.code(), new SyncRequest("/")),
                JuteFrames.request(2, OpCode.GET_DATA.code(), new GetDataRequest(GoldenCases.CONFIG, true))));
        proxy.fromServer(JuteFrames.concat(ConnectionDriver.CONNECT_RESPONSE,
                JuteFrames.reply(1, 9, 0, new SyncResponse(C))));
        List<byte[]> replies = proxy.toClient();
        assertEquals(3, replies.size());
        assertEquals(hex(JuteFrames.reply(1, 9, 0, new SyncResponse("/"))),
                hex(replies.get(1)));
        GetDataResponse config = new GetDataResponse();
        JuteReader.read(replies.get(2), new ReplyHeader(), config);
        assertEquals(new String(ConnectionDriver.ENSEMBLE_CONFIG, StandardCharsets.US_ASCII),
                new String(config.getData(), StandardCharsets.US_ASCII));
        assertEquals(2, proxy.toUpstream().size(), "the config read never went upstream");
    }
}
