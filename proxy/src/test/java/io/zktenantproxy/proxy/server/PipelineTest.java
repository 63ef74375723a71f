package io.zktenantproxy.proxy.server;

import static io.zktenantproxy.protocol.testkit.JuteReader.hex;
import static io.zktenantproxy.protocol.testkit.JuteReader.hexes;
import static io.zktenantproxy.proxy.server.ConnectionHarness.CONNECT_REQUEST;
import static io.zktenantproxy.proxy.server.ConnectionHarness.CONNECT_RESPONSE;
import static io.zktenantproxy.proxy.server.ConnectionHarness.MARKER_CREATE;
import static io.zktenantproxy.proxy.server.ConnectionHarness.MARKER_REPLY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.zktenantproxy.protocol.FourLetterWord;
import io.zktenantproxy.protocol.FrameDecoder;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.metrics.CloseReason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;
import org.junit.jupiter.api.Test;

/**
 * The frame decoders ({@link FrameDecoder}) and the protocol state behind the real handlers ({@link Connection}, on
 * {@link EmbeddedChannel}s: {@link ConnectionHarness}), fed whole conversations at once, one byte at a time,
 * truncated, oversized, with unknown opcodes and bytes left over in a frame. A frame that breaks the protocol closes
 * the connection for the {@link CloseReason} of its kind. Each test ends with nothing left in either channel and
 * every buffer released.
 */
class PipelineTest extends HandlerTestBase {
    /** Client side of a short conversation: connect, a read, a bad path, an unknown opcode, a create. */
    private static final byte[] CLIENT = JuteFrames.concat(
            CONNECT_REQUEST,
            JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest("/a", true)),
            JuteFrames.request(2, OpCode.CREATE.code(), new CreateRequest("/a/", null, GoldenCases.ACLS, 0)),
            JuteFrames.request(3, 777),
            JuteFrames.request(4, OpCode.CREATE.code(), new CreateRequest("/", GoldenCases.DATA, GoldenCases.ACLS, 2)));

    private static final byte[] SERVER = JuteFrames.concat(
            CONNECT_RESPONSE,
            JuteFrames.reply(1, 10, 0, new GetDataResponse(GoldenCases.DATA, GoldenCases.STAT)),
            JuteFrames.reply(4, 11, 0, new CreateResponse(C + "/0000000000")));

    private static final List<byte[]> EXPECTED_UPSTREAM = List.of(
            CONNECT_REQUEST,
            JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest(C + "/a", true)),
            JuteFrames.request(4, OpCode.CREATE.code(), new CreateRequest(C + "/", GoldenCases.DATA, GoldenCases.ACLS, 2)));

    private static final List<byte[]> EXPECTED_TO_CLIENT = List.of(
            CONNECT_RESPONSE,
            JuteFrames.reply(1, 10, 0, new GetDataResponse(GoldenCases.DATA, GoldenCases.STAT)),
            JuteFrames.reply(2, 10, KeeperCode.BAD_ARGUMENTS),
            JuteFrames.reply(3, 10, KeeperCode.UNIMPLEMENTED),
            JuteFrames.reply(4, 11, 0, new CreateResponse("/0000000000")));

    @Test
    void wholeConversationAtOnce() {
        proxy.fromClient(CLIENT);
        assertEquals(hexes(EXPECTED_UPSTREAM), hexes(proxy.toUpstream()));
        assertTrue(proxy.toClient().isEmpty(), "local answers wait for the ConnectResponse and xid 1");
        proxy.fromServer(SERVER);
        assertEquals(hexes(EXPECTED_TO_CLIENT), hexes(proxy.toClient()));
        assertEquals(List.of(hex(MARKER_CREATE)), hexes(proxy.toUpstream()), "the new session's marker, after xid 4");
    }

    @Test
    void wholeConversationOneByteAtATime() {
        for (byte b : CLIENT) {
            proxy.fromClient(new byte[] {b});
        }
        for (byte b : SERVER) {
            proxy.fromServer(new byte[] {b});
        }
        assertEquals(hexes(Stream.concat(EXPECTED_UPSTREAM.stream(), Stream.of(MARKER_CREATE)).toList()),
                hexes(proxy.toUpstream()), "the client's frames, then the new session's marker");
        assertEquals(hexes(EXPECTED_TO_CLIENT), hexes(proxy.toClient()));
    }

    @Test
    void unknownOpcodeIsAnsweredUnimplementedInXidOrder() {
        proxy.fromClient(CONNECT_REQUEST);
        proxy.fromServer(CONNECT_RESPONSE);
        proxy.fromServer(MARKER_REPLY);
        proxy.fromClient(JuteFrames.concat(JuteFrames.request(1, OpCode.EXISTS.code(), new GetDataRequest("/a", false)),
                JuteFrames.request(2, 55, new GetDataRequest("/a", false))));
        assertEquals(3, proxy.toUpstream().size(),
                "the ConnectRequest, the session marker and xid 1; xid 2 never goes upstream");
        assertEquals(1, proxy.toClient().size(), "only the ConnectResponse: xid 2 waits for xid 1");
        proxy.fromServer(JuteFrames.reply(1, 3, KeeperCode.NO_NODE));
        List<byte[]> replies = proxy.toClient();
        assertEquals(hexes(List.of(JuteFrames.reply(1, 3, KeeperCode.NO_NODE),
                        JuteFrames.reply(2, 3, KeeperCode.UNIMPLEMENTED))), hexes(replies));
    }

    @Test
    void truncatedConversationForwardsOnlyWholeFrames() {
        proxy.fromClient(Arrays.copyOf(CLIENT, CONNECT_REQUEST.length + 10));
        assertEquals(1, proxy.toUpstream().size());
        proxy.fromServer(Arrays.copyOf(SERVER, 7));
        assertTrue(proxy.toClient().isEmpty());
    }

    @Test
    void bytesLeftOverInAFrameAreTrailingBytes() {
        proxy.fromClient(CONNECT_REQUEST);
        byte[] request = JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest("/a", false));
        byte[] padded = Arrays.copyOf(request, request.length + 3);
        Unpooled.wrappedBuffer(padded).setInt(0, padded.length - Integer.BYTES);
        proxy.fromClient(padded);
        assertClosed(CloseReason.PROTOCOL_TRAILING_BYTES);
        assertEquals(1, proxy.toUpstream().size(), "only the ConnectRequest went upstream");
    }

    @Test
    void bytesLeftOverInAReplyAreTrailingBytes() {
        proxy.fromClient(JuteFrames.concat(CONNECT_REQUEST, GoldenCases.canonical(OpCode.CREATE).client()));
        proxy.fromServer(CONNECT_RESPONSE);
        byte[] reply = JuteFrames.concat(JuteFrames.reply(GoldenCases.XID, 1, 0, new CreateResponse(C + "/a")),
                new byte[2]);
        Unpooled.wrappedBuffer(reply).setInt(0, reply.length - Integer.BYTES);
        proxy.fromServer(reply);
        assertClosed(CloseReason.PROTOCOL_TRAILING_BYTES);
        assertEquals(3, proxy.toUpstream().size(), "the ConnectRequest, the create and the session marker");
        assertEquals(1, proxy.toClient().size(), "only the ConnectResponse reached the client");
    }

    @Test
    void recordShorterThanItsFrameSaysIsTruncated() {
        proxy.fromClient(CONNECT_REQUEST);
        byte[] header = JuteFrames.frame(new RequestHeader(1, OpCode.GET_DATA.code()));
        byte[] lying = JuteFrames.concat(header, new byte[] {0, 0, 0, 9, '/', 'a'}); // path length 9, two bytes follow
        Unpooled.wrappedBuffer(lying).setInt(0, lying.length - Integer.BYTES);
        proxy.fromClient(lying);
        assertClosed(CloseReason.PROTOCOL_TRUNCATED);
        assertEquals(1, proxy.toUpstream().size());
    }

    /** The first oversized frame closes the connection, so each side gets a connection of its own. */
    @Test
    void oversizedFrameFromEitherSideIsAFrameLength() {
        Limits limits = Limits.defaults().with(Limits.Limit.MAX_FRAME_BYTES, 1024);
        proxy = new ConnectionHarness(limits, true, new ConnectionHarness.OpenGate());
        proxy.fromClient(CONNECT_REQUEST);
        byte[] big = JuteFrames.request(1, OpCode.SET_DATA.code(),
                new SetDataRequest("/a", new byte[2000], -1));
        proxy.fromClient(big);
        assertClosed(CloseReason.PROTOCOL_FRAME_LENGTH);
        assertEquals(1, proxy.toUpstream().size());
        nothingLeftNothingLeaked();

        proxy = new ConnectionHarness(limits, true, new ConnectionHarness.OpenGate());
        proxy.fromClient(CONNECT_REQUEST);
        proxy.fromServer(new byte[] {0, 0, 8, 0});
        assertClosed(CloseReason.PROTOCOL_FRAME_LENGTH);
        assertEquals(1, proxy.toUpstream().size());
    }

    @Test
    void fourLetterWordIsAnsweredByTheProxyAndNeverGoesUpstream() {
        proxy.fromClient("mntr".getBytes(StandardCharsets.US_ASCII));
        List<byte[]> answer = proxy.toClient();
        assertEquals(1, answer.size());
        assertEquals(FourLetterWordResponder.answer(new FourLetterWord("mntr"), 1),
                new String(answer.get(0), StandardCharsets.US_ASCII), "the proxy's own answer");
        assertClosed(CloseReason.FOUR_LETTER_WORD);
        assertEquals(0, proxy.pendingDials(), "no handshake was started");
        assertNull(proxy.upstream(), "nothing went upstream");
    }

    @Test
    void firstFrameThatIsNoConnectRequestIsAHandshakeError() {
        proxy.fromClient(JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest("/a", false)));
        assertClosed(CloseReason.PROTOCOL_HANDSHAKE);
        assertTrue(proxy.toUpstream().isEmpty());
    }

    @Test
    void ensembleConfigIsServedByTheProxyInOrder() {
        proxy.fromClient(JuteFrames.concat(CONNECT_REQUEST,
                JuteFrames.request(1, OpCode.SYNC.code(), new SyncRequest("/")),
                JuteFrames.request(2, OpCode.GET_DATA.code(), new GetDataRequest(GoldenCases.CONFIG, true))));
        proxy.fromServer(JuteFrames.concat(CONNECT_RESPONSE,
                JuteFrames.reply(1, 9, 0, new SyncResponse(C))));
        List<byte[]> replies = proxy.toClient();
        assertEquals(3, replies.size());
        assertEquals(hex(JuteFrames.reply(1, 9, 0, new SyncResponse("/"))),
                hex(replies.get(1)));
        GetDataResponse config = new GetDataResponse();
        JuteReader.read(replies.get(2), new ReplyHeader(), config);
        assertEquals(new String(proxy.ensembleConfig(), StandardCharsets.US_ASCII),
                new String(config.getData(), StandardCharsets.US_ASCII));
        assertEquals(3, proxy.toUpstream().size(),
                "the ConnectRequest, the sync and the session marker: the config read never went upstream");
    }

    /** The connection was closed once, for {@code reason}, and the client channel with it. */
    private void assertClosed(CloseReason reason) {
        assertEquals(List.of(reason), proxy.closeReasons());
        assertEquals(1, proxy.closed(reason), reason.tag());
        assertFalse(proxy.client.isOpen(), "client channel closed");
    }
}
