package io.zktenantproxy.proxy.server;

import static io.zktenantproxy.protocol.testkit.JuteReader.hex;
import static io.zktenantproxy.protocol.testkit.JuteReader.hexes;
import static io.zktenantproxy.proxy.server.ConnectionHarness.CONNECT_REQUEST;
import static io.zktenantproxy.proxy.server.ConnectionHarness.CONNECT_RESPONSE;
import static io.zktenantproxy.proxy.server.ConnectionHarness.MARKER_REPLY;
import static io.zktenantproxy.proxy.server.ConnectionHarness.SESSION_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.Limits.Limit;
import io.zktenantproxy.proxy.metrics.CloseReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.RequestHeader;
import org.junit.jupiter.api.Test;

/**
 * The handler layer on two {@link EmbeddedChannel}s ({@link ConnectionHarness}): the handshake, frames queued until
 * the upstream connects, backpressure in both directions, a refusal in xid order, and the reason every kind of close
 * is counted under. Each test ends with nothing left in either channel and every buffer released.
 */
class ConnectionHandlersTest extends HandlerTestBase {
    private static byte[] getData(int xid, String path) {
        return JuteFrames.request(xid, OpCode.GET_DATA.code(), new GetDataRequest(path, false));
    }

    /**
     * Client handshake, server handshake, and the proxy's own session-marker create on the new session, answered
     * first as the ensemble answers in order.
     */
    private void establish() {
        proxy.fromClient(CONNECT_REQUEST);
        assertEquals(1, proxy.toUpstream().size());
        proxy.fromServer(CONNECT_RESPONSE);
        assertEquals(1, proxy.toClient().size());
        assertEquals(1, proxy.toUpstream().size(), "the session-marker create");
        proxy.fromServer(MARKER_REPLY);
        assertTrue(proxy.toClient().isEmpty(), "the marker's reply is the proxy's own");
    }

    private static void writable(EmbeddedChannel channel, boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        channel.runPendingTasks();
    }

    @Test
    void handshakeGoesUpstreamUntouchedAndTheNewSessionIsMarkedAndCounted() {
        ConnectionHarness.OpenGate gate = new ConnectionHarness.OpenGate();
        proxy = new ConnectionHarness(Limits.defaults(), true, gate);
        proxy.fromClient(CONNECT_REQUEST);
        assertEquals(List.of(hex(CONNECT_REQUEST)), hexes(proxy.toUpstream()));
        proxy.fromServer(CONNECT_RESPONSE);
        assertEquals(List.of(hex(CONNECT_RESPONSE)), hexes(proxy.toClient()));
        assertEquals(List.of(SESSION_ID), gate.bound);
        List<byte[]> marker = proxy.toUpstream();
        assertEquals(1, marker.size());
        RequestHeader header = new RequestHeader();
        JuteReader.readRequest(marker.get(0), header, CreateRequest.class);
        assertEquals(Xids.PROXY, header.getXid());
        assertEquals(OpCode.CREATE.code(), header.getType());
        assertEquals(1, proxy.tenant.meters().sessions());
        assertEquals(1, proxy.tenant.meters().connections());
    }

    @Test
    void framesPipelinedBeforeTheUpstreamConnectsWaitInOrder() {
        proxy = new ConnectionHarness(Limits.defaults(), false, new ConnectionHarness.OpenGate());
        proxy.fromClient(JuteFrames.concat(CONNECT_REQUEST, getData(1, "/a"), getData(2, "/b")));
        assertNull(proxy.upstream());
        assertEquals(1, proxy.pendingDials());
        proxy.connectUpstream();
        assertEquals(hexes(List.of(CONNECT_REQUEST, getData(1, C + "/a"), getData(2, C + "/b"))),
                hexes(proxy.toUpstream()));
    }

    @Test
    void aRefusalIsAnsweredAfterEveryEarlierReply() {
        establish();
        proxy.fromClient(JuteFrames.concat(getData(1, "/a"), getData(2, "/a/")));
        assertEquals(1, proxy.toUpstream().size(), "xid 2 never goes upstream");
        assertTrue(proxy.toClient().isEmpty(), "the refusal of xid 2 waits for the reply to xid 1");
        proxy.fromServer(JuteFrames.reply(1, 7, KeeperCode.OK, new GetDataResponse(new byte[] {1}, GoldenCases.STAT)));
        List<byte[]> replies = proxy.toClient();
        assertEquals(2, replies.size());
        assertEquals(List.of(1, 2), replies.stream().map(r -> JuteReader.replyHeader(r).getXid()).toList());
        assertEquals(KeeperCode.BAD_ARGUMENTS, JuteReader.replyHeader(replies.get(1)).getErr());
        assertEquals(7, JuteReader.replyHeader(replies.get(1)).getZxid(), "a local reply carries the newest zxid");
    }

    @Test
    void theClientIsNotReadBeyondMaxInFlight() {
        proxy = new ConnectionHarness(Limits.defaults().with(Limit.MAX_IN_FLIGHT, 2), true, new ConnectionHarness.OpenGate());
        establish();
        proxy.fromClient(getData(1, "/a"));
        assertTrue(proxy.client.config().isAutoRead());
        proxy.fromClient(getData(2, "/a"));
        assertFalse(proxy.client.config().isAutoRead(), "two requests in flight");
        proxy.fromServer(JuteFrames.reply(1, 7, KeeperCode.NO_NODE));
        assertTrue(proxy.client.config().isAutoRead());
        proxy.fromServer(JuteFrames.reply(2, 7, KeeperCode.NO_NODE));
        assertEquals(2, proxy.toUpstream().size());
        assertEquals(2, proxy.toClient().size());
    }

    @Test
    void theClientIsNotReadWhileTheUpstreamTakesNothing() {
        establish();
        EmbeddedChannel upstream = proxy.upstream();
        writable(upstream, false);
        assertFalse(proxy.client.config().isAutoRead());
        writable(upstream, true);
        assertTrue(proxy.client.config().isAutoRead());
    }

    @Test
    void theUpstreamIsNotReadWhileTheClientTakesNothing() {
        establish();
        writable(proxy.client, false);
        assertFalse(proxy.upstream().config().isAutoRead());
        assertFalse(proxy.client.config().isAutoRead(), "nor the client: it would not take the replies");
        writable(proxy.client, true);
        assertTrue(proxy.upstream().config().isAutoRead());
        assertTrue(proxy.client.config().isAutoRead());
    }

    /** A live client pings every third of its session timeout: it is never idle before that timeout. */
    @Test
    void theIdleTimeoutWidensToTheNegotiatedSessionTimeout() {
        proxy = ConnectionHarness.withFrozenClock(Limits.defaults().with(Limit.IDLE_TIMEOUT_MS, 10_000));
        establish(); // the ensemble grants JuteFrames.SESSION_TIMEOUT_MS (30 s)
        proxy.advanceClock(JuteFrames.SESSION_TIMEOUT_MS - 1_000);
        assertTrue(proxy.client.isOpen(), "past limits.idleTimeoutMs, within the session timeout");
        proxy.advanceClock(2_000);
        assertClosed(CloseReason.IDLE_TIMEOUT);
    }

    @Test
    void noConnectRequestInTimeIsAHandshakeTimeout() {
        proxy = ConnectionHarness.withFrozenClock(Limits.defaults().with(Limit.HANDSHAKE_TIMEOUT_MS, 1_000));
        proxy.advanceClock(999);
        assertTrue(proxy.client.isOpen());
        proxy.advanceClock(2);
        assertClosed(CloseReason.HANDSHAKE_TIMEOUT);
    }

    @Test
    void aConnectionBeyondTheTenantsLimitIsRefused() {
        proxy = new ConnectionHarness(Limits.defaults().with(Limit.MAX_CONNECTIONS_PER_TENANT, 1), true, new ConnectionHarness.OpenGate());
        EmbeddedChannel second = proxy.anotherClient();
        second.runPendingTasks();
        assertFalse(second.isOpen());
        assertTrue(proxy.client.isOpen());
        assertEquals(1, proxy.closed(CloseReason.TOO_MANY_CONNECTIONS));
        assertEquals(1, proxy.tenant.meters().connections());
        assertTrue(ConnectionHarness.drain(second).isEmpty(), "nothing was sent to the refused client");
        second.finishAndReleaseAll();
    }

    @Test
    void aFrameThatBreaksTheProtocolClosesBothSides() {
        establish();
        byte[] request = getData(1, "/a");
        byte[] padded = RawFrame.resized(request, request.length + 3);
        proxy.fromClient(padded);
        assertTrue(proxy.toUpstream().isEmpty());
        assertClosed(CloseReason.PROTOCOL_TRAILING_BYTES);
        assertFalse(proxy.upstream().isOpen());
    }

    @Test
    void aServerPathOutsideTheChrootIsAnIsolationViolation() {
        establish();
        proxy.fromClient(JuteFrames.request(1, OpCode.CREATE.code(),
                new CreateRequest("/a", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0)));
        assertEquals(1, proxy.toUpstream().size());
        proxy.fromServer(JuteFrames.reply(1, 8, KeeperCode.OK, new CreateResponse("/tenants/t12/a")));
        assertTrue(proxy.toClient().isEmpty(), "nothing of the foreign path reached the client");
        assertClosed(CloseReason.ISOLATION_VIOLATION);
    }

    @Test
    void theUpstreamClosingClosesTheClient() {
        establish();
        proxy.upstream().close();
        proxy.client.runPendingTasks();
        assertClosed(CloseReason.UPSTREAM_CLOSED);
    }

    @Test
    void theClientClosingClosesTheUpstream() {
        establish();
        proxy.client.close();
        assertEquals(1, proxy.closed(CloseReason.CLIENT_CLOSED));
        assertFalse(proxy.upstream().isOpen());
        assertEquals(0, proxy.tenant.meters().sessions());
        assertEquals(0, proxy.tenant.meters().connections());
    }

    @Test
    void noServerAcceptingIsUpstreamUnavailable() {
        proxy = new ConnectionHarness(Limits.defaults(), false, new ConnectionHarness.OpenGate());
        proxy.fromClient(CONNECT_REQUEST);
        proxy.failUpstream();
        assertClosed(CloseReason.UPSTREAM_UNAVAILABLE);
    }

    @Test
    void aSessionTheGateRefusesNeverGoesUpstream() {
        proxy = new ConnectionHarness(Limits.defaults(), true, new ConnectionHarness.OpenGate() {
            @Override
            public CompletableFuture<Void> admit(Tenant tenant, io.zktenantproxy.protocol.ConnectRequest request) {
                return CompletableFuture.failedFuture(
                        new GateRefusal(CloseReason.SESSION_OF_OTHER_TENANT, "belongs to another tenant"));
            }
        });
        proxy.fromClient(CONNECT_REQUEST);
        assertEquals(0, proxy.pendingDials());
        assertNull(proxy.upstream());
        assertClosed(CloseReason.SESSION_OF_OTHER_TENANT);
    }

    @Test
    void aFourLetterWordIsAnsweredByTheProxyAndCloses() {
        proxy.fromClient("ruok".getBytes(StandardCharsets.US_ASCII));
        List<byte[]> answer = proxy.toClient();
        assertEquals(1, answer.size());
        assertArrayEquals("imok".getBytes(StandardCharsets.US_ASCII), answer.get(0));
        assertEquals(1, proxy.closed(CloseReason.FOUR_LETTER_WORD));
        assertFalse(proxy.client.isOpen());
    }

    private void assertClosed(CloseReason reason) {
        assertEquals(1, proxy.closed(reason), reason.tag());
        assertFalse(proxy.client.isOpen(), "client channel closed");
        assertEquals(0, proxy.tenant.meters().connections());
    }
}
