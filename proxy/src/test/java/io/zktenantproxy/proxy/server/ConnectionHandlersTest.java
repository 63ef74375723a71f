package io.zktenantproxy.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.metrics.CloseReason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The handler layer on two {@link EmbeddedChannel}s ({@link ConnectionHarness}): the handshake, frames queued until
 * the upstream connects, backpressure in both directions, a refusal in xid order, and the reason every kind of close
 * is counted under. Each test ends with nothing left in either channel and every buffer released.
 */
class ConnectionHandlersTest {
    private static final String C = ConnectionHarness.CHROOT;
    private ConnectionHarness proxy = new ConnectionHarness();

    @AfterEach
    void nothingLeftNothingLeaked() {
        assertFalse(proxy.finish(), "unread messages left in a channel");
        proxy.alloc.assertAllReleased();
    }

    private static Limits limits(Integer maxInFlight, Integer maxConnectionsPerTenant, Integer handshakeTimeoutMs) {
        return new Limits(null, maxInFlight, maxConnectionsPerTenant, handshakeTimeoutMs, null, null, 0, 0, 0);
    }

    /**
     * Client handshake, server handshake, and the proxy's own session-marker create on the new session, answered
     * first as the ensemble answers in order.
     */
    private void establish() {
        proxy.fromClient(Frames.CONNECT_REQUEST);
        assertEquals(1, proxy.toUpstream().size());
        proxy.fromServer(Frames.CONNECT_RESPONSE);
        assertEquals(1, proxy.toClient().size());
        assertEquals(1, proxy.toUpstream().size(), "the session-marker create");
        proxy.fromServer(Frames.reply(Xids.PROXY, 5, KeeperCode.OK,
                new CreateResponse(SessionRegistry.markerPath(Frames.SESSION_ID))));
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
        proxy.fromClient(Frames.CONNECT_REQUEST);
        assertEquals(List.of(Frames.hex(Frames.CONNECT_REQUEST)), Frames.hexes(proxy.toUpstream()));
        proxy.fromServer(Frames.CONNECT_RESPONSE);
        assertEquals(List.of(Frames.hex(Frames.CONNECT_RESPONSE)), Frames.hexes(proxy.toClient()));
        assertEquals(List.of(Frames.SESSION_ID), gate.bound);
        List<byte[]> marker = proxy.toUpstream();
        assertEquals(1, marker.size());
        RequestHeader header = new RequestHeader();
        Frames.read(marker.get(0), header);
        assertEquals(Xids.PROXY, header.getXid());
        assertEquals(OpCode.CREATE.code(), header.getType());
        assertEquals(1, proxy.tenant.meters().sessions());
        assertEquals(1, proxy.tenant.meters().connections());
    }

    @Test
    void framesPipelinedBeforeTheUpstreamConnectsWaitInOrder() {
        proxy = new ConnectionHarness(Limits.defaults(), false, new ConnectionHarness.OpenGate());
        proxy.fromClient(Frames.concat(Frames.CONNECT_REQUEST, Frames.getData(1, "/a"), Frames.getData(2, "/b")));
        assertNull(proxy.upstream());
        assertEquals(1, proxy.pendingDials());
        proxy.connectUpstream();
        assertEquals(Frames.hexes(List.of(Frames.CONNECT_REQUEST, Frames.getData(1, C + "/a"),
                Frames.getData(2, C + "/b"))), Frames.hexes(proxy.toUpstream()));
    }

    @Test
    void aRefusalIsAnsweredAfterEveryEarlierReply() {
        establish();
        proxy.fromClient(Frames.concat(Frames.getData(1, "/a"), Frames.getData(2, "/a/")));
        assertEquals(1, proxy.toUpstream().size(), "xid 2 never goes upstream");
        assertTrue(proxy.toClient().isEmpty(), "the refusal of xid 2 waits for the reply to xid 1");
        proxy.fromServer(Frames.reply(1, 7, KeeperCode.OK, new GetDataResponse(new byte[] {1}, Frames.STAT)));
        List<byte[]> replies = proxy.toClient();
        assertEquals(2, replies.size());
        assertEquals(List.of(1, 2), replies.stream().map(r -> Frames.replyHeader(r).getXid()).toList());
        assertEquals(KeeperCode.BAD_ARGUMENTS, Frames.replyHeader(replies.get(1)).getErr());
        assertEquals(7, Frames.replyHeader(replies.get(1)).getZxid(), "a local reply carries the newest zxid");
    }

    @Test
    void theClientIsNotReadBeyondMaxInFlight() {
        proxy = new ConnectionHarness(limits(2, null, null), true, new ConnectionHarness.OpenGate());
        establish();
        proxy.fromClient(Frames.getData(1, "/a"));
        assertTrue(proxy.client.config().isAutoRead());
        proxy.fromClient(Frames.getData(2, "/a"));
        assertFalse(proxy.client.config().isAutoRead(), "two requests in flight");
        proxy.fromServer(Frames.reply(1, 7, KeeperCode.NO_NODE, null));
        assertTrue(proxy.client.config().isAutoRead());
        proxy.fromServer(Frames.reply(2, 7, KeeperCode.NO_NODE, null));
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

    @Test
    void noConnectRequestInTimeIsAHandshakeTimeout() {
        proxy = new ConnectionHarness(limits(null, null, 1_000), true, new ConnectionHarness.OpenGate());
        proxy.client.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        proxy.client.runScheduledPendingTasks();
        assertTrue(proxy.client.isOpen());
        proxy.client.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        proxy.client.runScheduledPendingTasks();
        assertClosed(CloseReason.HANDSHAKE_TIMEOUT);
    }

    @Test
    void aConnectionBeyondTheTenantsLimitIsRefused() {
        proxy = new ConnectionHarness(limits(null, 1, null), true, new ConnectionHarness.OpenGate());
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
        byte[] request = Frames.getData(1, "/a");
        byte[] padded = Frames.withTrailingBytes(request, 3);
        proxy.fromClient(padded);
        assertTrue(proxy.toUpstream().isEmpty());
        assertClosed(CloseReason.PROTOCOL_TRAILING_BYTES);
        assertFalse(proxy.upstream().isOpen());
    }

    @Test
    void aServerPathOutsideTheChrootIsAnIsolationViolation() {
        establish();
        proxy.fromClient(Frames.create(1, "/a"));
        assertEquals(1, proxy.toUpstream().size());
        proxy.fromServer(Frames.reply(1, 8, KeeperCode.OK, new CreateResponse("/tenants/t12/a")));
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
        proxy.fromClient(Frames.CONNECT_REQUEST);
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
        proxy.fromClient(Frames.CONNECT_REQUEST);
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
