package io.zktenantproxy.protocol;

import static io.zktenantproxy.protocol.testkit.JuteReader.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden bytes of the handshake: {@code ConnectRequest} and {@code ConnectResponse} as jute writes them (with the
 * trailing {@code readOnly}) and as old clients and servers write them (without), decoded, re-encoded, and passed
 * through a {@link TenantConnection} untouched.
 */
class HandshakeGoldenTest {
    private static final byte[] PASSWD = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    private static byte[] juteRequest(boolean readOnly) {
        return JuteFrames.frame(new org.apache.zookeeper.proto.ConnectRequest(0, 0x1_0000_0007L, 40_000, 0x72L, PASSWD,
                readOnly));
    }

    private static byte[] juteResponse(boolean readOnly) {
        return JuteFrames.frame(new org.apache.zookeeper.proto.ConnectResponse(0, 30_000, 0x72L, PASSWD, readOnly));
    }

    /** The same frame without its last byte (the readOnly flag), length field fixed: what old peers send. */
    private static byte[] withoutReadOnly(byte[] frame) {
        return RawFrame.resized(frame, frame.length - 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void connectRequestWithReadOnly(boolean readOnly) {
        byte[] frame = juteRequest(readOnly);
        ConnectRequest request = ConnectRequest.decode(Unpooled.wrappedBuffer(frame));
        assertEquals(0, request.protocolVersion());
        assertEquals(0x1_0000_0007L, request.lastZxidSeen());
        assertEquals(40_000, request.timeOutMs());
        assertEquals(0x72L, request.sessionId());
        assertArrayEquals(PASSWD, request.passwd());
        assertEquals(readOnly, request.readOnly());
        assertEquals(hex(frame), hex(bytes(request.encode(UnpooledByteBufAllocator.DEFAULT))));
    }

    @Test
    void connectRequestOfAnOldClientWithoutReadOnly() {
        byte[] frame = withoutReadOnly(juteRequest(false));
        ConnectRequest request = ConnectRequest.decode(Unpooled.wrappedBuffer(frame));
        assertNull(request.readOnly());
        assertEquals(0x72L, request.sessionId());
        assertEquals(hex(frame), hex(bytes(request.encode(UnpooledByteBufAllocator.DEFAULT))));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void connectResponseWithReadOnly(boolean readOnly) {
        byte[] frame = juteResponse(readOnly);
        ConnectResponse response = ConnectResponse.decode(Unpooled.wrappedBuffer(frame));
        assertEquals(30_000, response.timeOutMs());
        assertEquals(0x72L, response.sessionId());
        assertArrayEquals(PASSWD, response.passwd());
        assertEquals(readOnly, response.readOnly());
        assertFalse(response.expired());
        assertEquals(hex(frame), hex(bytes(response.encode(UnpooledByteBufAllocator.DEFAULT))));
    }

    @Test
    void connectResponseOfAnOldServerAndAnExpiredSession() {
        byte[] frame = withoutReadOnly(JuteFrames.frame(new org.apache.zookeeper.proto.ConnectResponse(0, 0, 0, PASSWD,
                false)));
        ConnectResponse response = ConnectResponse.decode(Unpooled.wrappedBuffer(frame));
        assertNull(response.readOnly());
        assertTrue(response.expired());
        assertEquals(hex(frame), hex(bytes(response.encode(UnpooledByteBufAllocator.DEFAULT))));
    }

    /** Zxids, session id and password are never rewritten: both handshake frames go through as the same buffers. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void handshakeIsForwardedUntouched(boolean oldPeers) {
        byte[] request = oldPeers ? withoutReadOnly(juteRequest(true)) : juteRequest(true);
        byte[] response = oldPeers ? withoutReadOnly(juteResponse(false)) : juteResponse(false);
        try (ConnectionDriver session = new ConnectionDriver(ConnectionDriver.CHROOT)) {
            ConnectionDriver.Sent sent = session.client(request);
            RequestOutcome.Connect connect = assertInstanceOf(RequestOutcome.Connect.class, sent.result());
            assertEquals(0x72L, connect.request().sessionId());
            assertTrue(sent.sameBuffer());
            assertArrayEquals(request, sent.upstream());
            assertFalse(session.connection.established());
            ConnectionDriver.Received received = session.server(response);
            assertTrue(received.sameBuffer());
            assertEquals(1, received.toClient().size());
            assertArrayEquals(response, received.toClient().get(0));
            assertTrue(session.connection.established());
        }
    }

    @Test
    void malformedHandshakesAreHandshakeErrors() {
        byte[] good = juteRequest(false);
        byte[] trailing = RawFrame.resized(good, good.length + 1);
        byte[] badBoolean = good.clone();
        badBoolean[badBoolean.length - 1] = 2;
        byte[] truncated = RawFrame.resized(good, 12);
        for (byte[] frame : new byte[][] {trailing, badBoolean, truncated}) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> ConnectRequest.decode(Unpooled.wrappedBuffer(frame)));
            assertEquals(ProtocolException.Kind.HANDSHAKE, e.kind(), e.getMessage());
        }
        byte[] response = juteResponse(false);
        byte[] shortResponse = RawFrame.resized(response, 10);
        assertEquals(ProtocolException.Kind.HANDSHAKE, assertThrows(ProtocolException.class,
                () -> ConnectResponse.decode(Unpooled.wrappedBuffer(shortResponse))).kind());
    }

    private static byte[] bytes(ByteBuf buf) {
        try {
            return ConnectionDriver.bytes(buf);
        } finally {
            buf.release();
        }
    }
}
