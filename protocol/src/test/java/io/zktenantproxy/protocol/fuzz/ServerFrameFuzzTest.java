package io.zktenantproxy.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.zktenantproxy.protocol.FrameDecoder;
import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.ProtocolException;
import io.zktenantproxy.protocol.RequestOutcome;
import io.zktenantproxy.protocol.Requests;
import io.zktenantproxy.protocol.TenantConnection;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes what comes back from the ensemble: after a real handshake and a few forwarded requests (so replies have
 * pending requests to be read against), the input bytes go through a server-side {@link FrameDecoder} and
 * {@link TenantConnection#onServerFrame}.
 *
 * <p>Input layout: byte 0 flags (bit 0: the proxy also has its own request pending on the session, xid -3;
 * bits 1-2: chunking); byte 1: how many requests are pending (0..7); then one byte per request choosing its opcode
 * from {@link #PENDING}; the rest is the server's byte stream after its ConnectResponse.
 *
 * <p>Invariants: the only exception is {@link ProtocolException}; what reaches the client is exactly what an
 * independent rewrite ({@link ReplyOracle}) expects: opaque replies untouched, error replies without a body, every
 * path the ensemble sent stripped of the chroot at a {@code /} boundary, paths outside the chroot (such as the
 * neighbour's {@code /tenants/t12}) never delivered; the proxy's own reply never delivered; no buffer leaks.
 */
class ServerFrameFuzzTest {
    /** Requests that can be pending, one per reply shape that matters, each with a valid request frame. */
    static final OpCode[] PENDING = {OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_TTL, OpCode.CREATE_CONTAINER,
        OpCode.SYNC, OpCode.MULTI, OpCode.GET_EPHEMERALS, OpCode.GET_DATA, OpCode.GET_CHILDREN2, OpCode.EXISTS,
        OpCode.SET_DATA, OpCode.DELETE, OpCode.MULTI_READ, OpCode.WHO_AM_I, OpCode.SET_WATCHES2};

    @FuzzTest(maxDuration = "30s")
    void fuzzServerFrames(byte[] input) {
        if (input.length < 2) {
            return;
        }
        int flags = input[0] & 0xff;
        int count = Math.min(input[1] & 7, input.length - 2);
        TrackingAllocator alloc = new TrackingAllocator();
        List<ByteBuf> delivered = new ArrayList<>();
        TenantConnection connection = new TenantConnection(ClientFrameFuzzTest.CHROOT,
                ClientFrameFuzzTest.ENSEMBLE_CONFIG, delivered::add, TenantConnection.Observer.NONE);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(ClientFrameFuzzTest.MAX_FRAME, false));
        ArrayDeque<ReplyOracle.Pending> pending = new ArrayDeque<>();
        try {
            clientFrame(connection, alloc, JuteFrames.connectRequest());
            serverFrame(connection, alloc, JuteFrames.connectResponse(0x1234));
            delivered.forEach(ByteBuf::release);
            delivered.clear();
            for (int i = 0; i < count; i++) {
                OpCode op = PENDING[(input[2 + i] & 0xff) % PENDING.length];
                clientFrame(connection, alloc, SeedCorpus.validRequest(i + 1, op));
                pending.add(new ReplyOracle.Pending(i + 1, op, false));
            }
            if ((flags & 1) != 0) {
                connection.sendOnSession(OpCode.CREATE, Requests.createEphemeral(alloc, Xids.PROXY,
                        "/zk-tenant-proxy/sessions/1234", new byte[] {'t', '1'}, AclPolicy.NONE)).release();
                pending.add(new ReplyOracle.Pending(Xids.PROXY, OpCode.CREATE, true));
            }
            ReplyOracle oracle = new ReplyOracle(ClientFrameFuzzTest.ROOT, pending);
            int step = switch ((flags >> 1) & 3) {
                case 0 -> Integer.MAX_VALUE;
                case 1 -> 1;
                case 2 -> 5;
                default -> 100;
            };
            int from = 2 + count;
            boolean dead = false;
            for (int i = from; i < input.length && !dead; ) {
                int n = Math.min(step, input.length - i);
                ByteBuf chunk = alloc.buffer(n).writeBytes(input, i, n);
                i += n;
                try {
                    channel.writeInbound(chunk);
                } catch (ProtocolException e) {
                    dead = true;
                }
                Object msg;
                while ((msg = channel.readInbound()) != null) {
                    ByteBuf frame = (ByteBuf) msg;
                    try {
                        if (!dead) {
                            byte[] in = ByteBufUtil.getBytes(frame);
                            ReplyOracle.Outcome expected = oracle.expect(in);
                            ProtocolException thrown = null;
                            try {
                                connection.onServerFrame(frame, alloc);
                            } catch (ProtocolException e) {
                                thrown = e;
                                dead = true;
                            }
                            compare(expected, thrown, delivered, in);
                            delivered.forEach(ByteBuf::release);
                            delivered.clear();
                        }
                    } finally {
                        frame.release();
                    }
                }
            }
        } finally {
            connection.release();
            delivered.forEach(ByteBuf::release);
            channel.finishAndReleaseAll();
            alloc.assertAllReleased();
        }
    }

    private static void compare(ReplyOracle.Outcome expected, ProtocolException thrown, List<ByteBuf> delivered,
                                byte[] in) {
        if (expected.refused() != null) {
            ClientFrameFuzzTest.expect(thrown != null, "the proxy accepted a server frame it must refuse ("
                    + expected.refused() + "): " + ByteBufUtil.hexDump(in) + ", delivered " + hex(delivered));
            return;
        }
        ClientFrameFuzzTest.expect(thrown == null, "the proxy refused a valid server frame ("
                + (thrown == null ? "" : thrown.getMessage()) + "): " + ByteBufUtil.hexDump(in));
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (ByteBuf b : delivered) {
            got.writeBytes(ByteBufUtil.getBytes(b));
        }
        ClientFrameFuzzTest.expect(Arrays.equals(got.toByteArray(), expected.delivered()),
                "delivered " + ByteBufUtil.hexDump(got.toByteArray()) + " (expected: "
                        + ByteBufUtil.hexDump(expected.delivered()) + ") for " + ByteBufUtil.hexDump(in));
    }

    private static String hex(List<ByteBuf> bufs) {
        StringBuilder sb = new StringBuilder();
        bufs.forEach(b -> sb.append(ByteBufUtil.hexDump(b)).append(' '));
        return sb.toString();
    }

    private static void clientFrame(TenantConnection connection, TrackingAllocator alloc, byte[] bytes) {
        ByteBuf frame = alloc.buffer(bytes.length).writeBytes(bytes);
        try {
            RequestOutcome result = connection.onClientFrame(frame, alloc);
            if (result instanceof RequestOutcome.Connect c) {
                c.toUpstream().release();
            } else if (result instanceof RequestOutcome.Forward f) {
                f.toUpstream().release();
            } else {
                throw new AssertionError("a valid request was not forwarded: " + result);
            }
        } finally {
            frame.release();
        }
    }

    private static void serverFrame(TenantConnection connection, TrackingAllocator alloc, byte[] bytes) {
        ByteBuf frame = alloc.buffer(bytes.length).writeBytes(bytes);
        try {
            connection.onServerFrame(frame, alloc);
        } finally {
            frame.release();
        }
    }
}
