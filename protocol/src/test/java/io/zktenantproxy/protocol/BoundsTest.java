package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import java.util.List;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetWatches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Allocation stays bounded by what actually arrived: a payload is spliced, never copied, and a length or vector
 * count the frame cannot hold is refused before anything is allocated for it.
 */
class BoundsTest {

    /** The setData/create payload stays a slice of the client's frame, whatever its size. */
    @ParameterizedTest
    @ValueSource(ints = {65, 1024, 1024 * 1024})
    void payloadIsSplicedNotCopied(int size) {
        TrackingAllocator alloc = new TrackingAllocator();
        RequestRewriter rewriter = new RequestRewriter(new TenantChroot(ConnectionDriver.CHROOT), AclPolicy.NONE);
        for (byte[] request : List.of(
                JuteFrames.request(1, OpCode.SET_DATA.code(), new SetDataRequest("/a", new byte[size], -1)),
                JuteFrames.request(2, OpCode.CREATE.code(),
                        new CreateRequest("/a", new byte[size], GoldenCases.ACLS, 0)))) {
            ByteBuf frame = alloc.wrap(request);
            long before = alloc.allocatedBytes();
            ByteBuf out = ((RequestOutcome.Forward) rewriter.rewrite(frame, alloc)).toUpstream();
            assertTrue(alloc.allocatedBytes() - before < 256, (alloc.allocatedBytes() - before) + " bytes for " + size);
            assertTrue(out instanceof CompositeByteBuf, "header written anew, payload as a slice");
            assertEquals(2, frame.refCnt(), "the slice holds the client's frame");
            assertEquals(request.length + ConnectionDriver.CHROOT.length(), out.readableBytes());
            out.release();
            frame.release();
        }
        alloc.assertAllReleased();
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, 1 << 20, 100, -2, Integer.MIN_VALUE})
    void impossibleWatchCountIsTruncatedBeforeAllocation(int count) {
        byte[] frame = JuteFrames.request(Xids.SET_WATCHES, OpCode.SET_WATCHES.code(),
                new SetWatches(1, List.of("/a"), List.of(), List.of()));
        // length 4, xid 4, type 4, relativeZxid 8, then the first vector's count
        assertRefused(RawFrame.withIntAt(frame, 20, count), ProtocolException.Kind.TRUNCATED);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, 1 << 20, 1000, -2})
    void impossibleAclCountIsTruncated(int count) {
        byte[] frame = JuteFrames.request(1, OpCode.CREATE.code(), new CreateRequest("/a", null, GoldenCases.ACLS, 0));
        // length 4, xid 4, type 4, path 4+2, data -1 (4), then the ACL count
        assertRefused(RawFrame.withIntAt(frame, 22, count), ProtocolException.Kind.TRUNCATED);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, 5, -2, Integer.MIN_VALUE})
    void impossiblePathLengthIsTruncated(int length) {
        byte[] frame = JuteFrames.request(1, OpCode.GET_EPHEMERALS.code(), new GetEphemeralsRequest("/abc"));
        assertRefused(RawFrame.withIntAt(frame, 12, length), ProtocolException.Kind.TRUNCATED);
    }

    @Test
    void impossibleEphemeralsCountInAReplyIsTruncated() {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            s.forward(GoldenCases.canonical(OpCode.GET_EPHEMERALS).client());
            byte[] reply = JuteFrames.reply(GoldenCases.XID, 1, 0,
                    new GetEphemeralsResponse(List.of(ConnectionDriver.CHROOT)));
            long before = s.alloc.allocatedBytes();
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> s.server(RawFrame.withIntAt(reply, 20, Integer.MAX_VALUE)));
            assertEquals(ProtocolException.Kind.TRUNCATED, e.kind());
            assertTrue(s.alloc.allocatedBytes() - before < 1024);
        }
    }

    @Test
    void impossiblePasswordLengthIsAHandshakeError() {
        byte[] connect = RawFrame.withIntAt(ConnectionDriver.CONNECT_REQUEST, 4 + 4 + 8 + 4 + 8, Integer.MAX_VALUE);
        try (ConnectionDriver s = new ConnectionDriver(ConnectionDriver.CHROOT)) {
            assertEquals(ProtocolException.Kind.HANDSHAKE,
                    assertThrows(ProtocolException.class, () -> s.client(connect)).kind());
        }
    }

    private static void assertRefused(byte[] frame, ProtocolException.Kind kind) {
        try (ConnectionDriver s = ConnectionDriver.established()) {
            long before = s.alloc.allocatedBytes();
            ProtocolException e = assertThrows(ProtocolException.class, () -> s.client(frame));
            assertEquals(kind, e.kind(), e.getMessage());
            assertTrue(s.alloc.allocatedBytes() - before < 2 * frame.length + 1024, "allocated for a refused frame");
        }
    }
}
