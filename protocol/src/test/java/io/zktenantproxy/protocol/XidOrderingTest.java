package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.WatcherEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replies reach the client in xid order, whoever produced them: the Java client drops the connection on an
 * out-of-order xid, so a reply the proxy answers itself waits behind every earlier upstream reply, and nothing at
 * all may precede the server's ConnectResponse.
 */
class XidOrderingTest {

    private static byte[] getData(int xid) {
        return JuteFrames.request(xid, OpCode.GET_DATA.code(), new GetDataRequest("/a", false));
    }

    private static byte[] badCreate(int xid) {
        return JuteFrames.request(xid, OpCode.CREATE.code(), new CreateRequest("/a//b", null, GoldenCases.ACLS, 0));
    }

    private static byte[] ok(int xid, long zxid) {
        return JuteFrames.reply(xid, zxid, 0, new GetDataResponse(GoldenCases.DATA, GoldenCases.STAT));
    }

    private static List<Integer> xids(List<byte[]> frames) {
        return frames.stream().map(f -> JuteReader.replyHeader(f).getXid()).toList();
    }

    @Test
    void localAnswerWaitsBehindPendingUpstreamRequests() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(getData(1));
            assertEquals(KeeperCode.BAD_ARGUMENTS, s.client(badCreate(2)).answered().err());
            s.forward(getData(3));
            assertEquals(KeeperCode.UNIMPLEMENTED, s.client(JuteFrames.request(4, 999)).answered().err());
            assertTrue(s.drainToClient().isEmpty(), "xid 2 must wait for xid 1");
            assertEquals(4, s.connection.inFlight());

            assertEquals(List.of(1, 2), xids(s.server(ok(1, 10)).toClient()));
            assertEquals(List.of(3, 4), xids(s.server(ok(3, 11)).toClient()));
            assertEquals(0, s.connection.inFlight());
        }
    }

    @Test
    void localAnswerCarriesTheLastZxidSeen() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(getData(1));
            s.server(ok(1, 0x77));
            s.client(badCreate(2));
            ReplyHeader header = JuteReader.replyHeader(s.drainToClient().get(0));
            assertEquals(new ReplyHeader(2, 0x77, KeeperCode.BAD_ARGUMENTS), header);
        }
    }

    /**
     * The Java client adopts every positive reply zxid as its last seen one: a local answer that waited behind a newer
     * upstream reply must carry that newer zxid, or the client's lastZxid would move back and a reconnect could land
     * on a server that has not seen what the client already read.
     */
    @Test
    void queuedLocalAnswerNeverCarriesAnOlderZxidThanTheReplyBeforeIt() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(getData(1));
            s.server(ok(1, 10));
            s.forward(getData(2));
            s.client(badCreate(3)); // built while the last zxid seen is 10
            List<byte[]> replies = s.server(ok(2, 20)).toClient();
            assertEquals(List.of(2, 3), xids(replies));
            assertEquals(20, JuteReader.replyHeader(replies.get(1)).getZxid());
        }
    }

    @Test
    void nothingReachesTheClientBeforeTheConnectResponse() {
        try (ConnectionDriver s = new ConnectionDriver(ConnectionDriver.CHROOT)) {
            assertInstanceOf(RequestOutcome.Connect.class, s.client(ConnectionDriver.CONNECT_REQUEST).result());
            s.client(badCreate(1));
            s.forward(getData(2));
            s.client(JuteFrames.request(3, OpCode.RECONFIG.code()));
            assertTrue(s.drainToClient().isEmpty());

            List<byte[]> afterConnect = s.server(ConnectionDriver.CONNECT_RESPONSE).toClient();
            assertEquals(2, afterConnect.size(), "the ConnectResponse and the local answer queued behind it");
            assertEquals(ConnectionDriver.CONNECT_RESPONSE.length, afterConnect.get(0).length);
            assertEquals(1, JuteReader.replyHeader(afterConnect.get(1)).getXid());
            assertEquals(List.of(2, 3), xids(s.server(ok(2, 5)).toClient()));
        }
    }

    @Test
    void replyBeforeAnyRequestIsAnXidError() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> s.server(ok(1, 1)));
            assertEquals(ProtocolException.Kind.XID, e.kind());
        }
    }

    @Test
    void outOfOrderReplyIsAnXidError() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(getData(1));
            s.forward(getData(2));
            ProtocolException e = assertThrows(ProtocolException.class, () -> s.server(ok(2, 1)));
            assertEquals(ProtocolException.Kind.XID, e.kind());
            assertTrue(e.getMessage().contains("expected: 1"), e.getMessage());
        }
    }

    @Test
    void pingAndAuthRepliesAreNotQueuedAndPassPendingRequests() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(getData(1));
            s.forward(JuteFrames.request(Xids.PING, OpCode.PING.code()));
            s.forward(GoldenCases.canonical(OpCode.AUTH).client());
            assertEquals(1, s.connection.inFlight());
            assertEquals(List.of(Xids.PING), xids(s.server(JuteFrames.reply(Xids.PING, 5, 0)).toClient()));
            assertEquals(List.of(Xids.AUTH), xids(s.server(JuteFrames.reply(Xids.AUTH, 5, 0)).toClient()));
            assertEquals(List.of(1), xids(s.server(ok(1, 5)).toClient()));
        }
    }

    @Test
    void setWatchesAfterReconnectIsQueuedUnderXidMinus8() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(JuteFrames.request(Xids.SET_WATCHES, OpCode.SET_WATCHES.code(),
                    new SetWatches(1, List.of("/a"), List.of(), List.of())));
            s.forward(getData(1));
            assertEquals(2, s.connection.inFlight());
            assertThrows(ProtocolException.class, () -> s.server(ok(1, 5)));
        }
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(JuteFrames.request(Xids.SET_WATCHES, OpCode.SET_WATCHES.code(),
                    new SetWatches(1, List.of("/a"), List.of(), List.of())));
            assertEquals(List.of(Xids.SET_WATCHES),
                    xids(s.server(JuteFrames.reply(Xids.SET_WATCHES, 5, 0)).toClient()));
        }
    }

    /** Special xids mean something to the client library; a request may not borrow one. */
    @ParameterizedTest
    @CsvSource({"-1, 4", "-2, 4", "5, 11", "-4, 4", "3, 100", "-1, 999", "-3, 4", "-3, 11"})
    void requestMisusingASpecialXidIsAnXidError(int xid, int type) {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> s.client(JuteFrames.request(xid, type, new GetDataRequest("/a", false))));
            assertEquals(ProtocolException.Kind.XID, e.kind());
        }
    }

    @Test
    void notificationsAreNotRepliesAndPassPendingRequests() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(getData(1));
            s.server(JuteFrames.reply(Xids.NOTIFICATION, -1, 0,
                    new WatcherEvent(3, 3, ConnectionDriver.CHROOT + "/a")));
            assertEquals(1, s.connection.inFlight());
            s.server(JuteFrames.reply(1, 1, 0, new ExistsResponse(GoldenCases.STAT)));
            assertEquals(0, s.connection.inFlight());
        }
    }

    /** A request the proxy sends on the session itself: its reply is consumed, never shown to the client. */
    @Test
    void proxyOwnRequestIsOrderedWithTheClientsButItsReplyIsHidden() {
        List<String> proxyReplies = new ArrayList<>();
        TenantConnection.Observer observer = new TenantConnection.Observer() {
            @Override
            public void onProxyReply(OpCode op, int err) {
                proxyReplies.add(op + " " + err);
            }
        };
        try (ConnectionDriver driver = new ConnectionDriver(ConnectionDriver.CHROOT, observer)) {
            TenantConnection connection = driver.connection;
            ByteBuf early = Requests.createEphemeral(driver.alloc, Xids.PROXY, "/marker", new byte[0], AclPolicy.NONE);
            assertThrows(IllegalStateException.class, () -> connection.sendOnSession(OpCode.CREATE, early));
            assertEquals(0, early.refCnt(), "refused before the session: the frame is released");

            driver.client(ConnectionDriver.CONNECT_REQUEST);
            List<byte[]> frames = new ArrayList<>(driver.server(ConnectionDriver.CONNECT_RESPONSE).toClient());
            driver.client(getData(1));
            connection.sendOnSession(OpCode.CREATE,
                    Requests.createEphemeral(driver.alloc, Xids.PROXY, "/marker", new byte[0], AclPolicy.NONE)).release();
            driver.client(badCreate(2));
            assertEquals(3, connection.inFlight());
            frames.addAll(driver.server(ok(1, 5)).toClient());
            frames.addAll(driver.server(JuteFrames.reply(Xids.PROXY, 6, KeeperCode.NODE_EXISTS)).toClient());
            assertEquals(List.of("CREATE " + KeeperCode.NODE_EXISTS), proxyReplies);
            assertEquals(List.of(1, 2), xids(frames.subList(1, frames.size())), "the marker's reply is not among them");
        }
    }

    /** Queued local answers are released with the connection; ConnectionDriver.close() checks nothing leaked. */
    @Test
    void releaseFreesQueuedLocalAnswers() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(getData(1));
            s.client(badCreate(2));
            s.client(badCreate(3));
            assertEquals(3, s.connection.inFlight());
        }
    }
}
