package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zktenantproxy.protocol.testkit.JuteFrames;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated frames through {@link FrameDecoder} and {@link TenantConnection}, both directions. The seeds are
 * the golden frames (every opcode, request and reply), damaged by bit flips, boundary ints in length and count
 * fields, truncation, insertion and deletion, with the frame length fixed up or not.
 *
 * <p>Whatever the input: the only exception is {@link ProtocolException}; nothing hangs; every buffer is released;
 * allocation stays within a small multiple of the input; and whatever is forwarded upstream is a well-formed
 * frame jute can read whose every path lies under the chroot ({@link UpstreamInvariants}).
 */
class FrameFuzzTest {
    private static final Duration NO_HANG = Duration.ofSeconds(10);
    private static final List<byte[]> REQUEST_SEEDS = GoldenCases.requests().stream()
            .map(GoldenCases.Request::client).toList();
    private static final List<GoldenReplyTest.Reply> REPLY_SEEDS = GoldenReplyTest.cases();

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Mutation.Kind.class),
                Arbitraries.integers(), Arbitraries.integers()).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<byte[]> mutatedRequest() {
        return Combinators.combine(Arbitraries.of(REQUEST_SEEDS), mutations(), Arbitraries.of(true, false))
                .as(Mutation::apply);
    }

    @Provide
    Arbitrary<Integer> replySeed() {
        return Arbitraries.integers().between(0, REPLY_SEEDS.size() - 1);
    }

    @Property(tries = 1000)
    void mutatedRequestsFailOnlyAsProtocolErrors(@ForAll("mutatedRequest") byte[] frame,
                                                @ForAll("mutatedRequest") byte[] next) {
        ProxyPipeline proxy = established(null);
        feed(proxy, frame, next, true);
    }

    @Property(tries = 1000)
    void mutatedRepliesFailOnlyAsProtocolErrors(@ForAll("replySeed") int seed, @ForAll("mutations") List<Mutation> edits,
                                               @ForAll boolean fixLength) {
        GoldenReplyTest.Reply reply = REPLY_SEEDS.get(seed);
        ProxyPipeline proxy = established(reply.op());
        byte[] mutated = Mutation.apply(reply.server(), edits, fixLength);
        feed(proxy, mutated, new byte[0], false);
    }

    @Property(tries = 300)
    void randomBytesAsAClientsFirstBytes(@ForAll @Size(max = 300) byte[] bytes) {
        ProxyPipeline proxy = new ProxyPipeline();
        feed(proxy, bytes, new byte[0], true);
    }

    @Property(tries = 300)
    void randomBytesAfterTheHandshake(@ForAll @Size(max = 300) byte[] bytes, @ForAll boolean fromServer) {
        ProxyPipeline proxy = established(OpCode.GET_DATA);
        feed(proxy, bytes, new byte[0], !fromServer);
    }

    /** Random bytes behind a valid length: the decoders must read into them rather than wait. */
    @Property(tries = 300)
    void randomBodiesInWholeFrames(@ForAll @Size(max = 300) byte[] body, @ForAll boolean fromServer) {
        ProxyPipeline proxy = established(OpCode.MULTI);
        feed(proxy, JuteFrames.frame(body), new byte[0], !fromServer);
    }

    /** A pipeline past its handshake, with the canonical request of {@code pending} (if any) awaiting its reply. */
    private static ProxyPipeline established(OpCode pending) {
        ProxyPipeline proxy = new ProxyPipeline();
        proxy.fromClient(ConnectionDriver.CONNECT_REQUEST);
        if (pending != null && pending != OpCode.NOTIFICATION) {
            proxy.fromClient(GoldenCases.canonical(pending).client());
        }
        proxy.fromServer(ConnectionDriver.CONNECT_RESPONSE);
        proxy.toUpstream();
        proxy.toClient();
        return proxy;
    }

    private static void feed(ProxyPipeline proxy, byte[] first, byte[] second, boolean fromClient) {
        long before = proxy.alloc.allocatedBytes();
        boolean handshaking = !proxy.connection.established() && proxy.connection.inFlight() == 0;
        assertTimeoutPreemptively(NO_HANG, () -> {
            try {
                if (fromClient) {
                    proxy.fromClient(first);
                    proxy.fromClient(second);
                } else {
                    proxy.fromServer(first);
                    proxy.fromServer(second);
                }
            } catch (ProtocolException expected) {
                // the one failure allowed: the connection is closed
            } catch (Throwable t) {
                fail("not a ProtocolException: " + t, t);
            }
        });
        List<byte[]> upstream = proxy.toUpstream();
        for (int i = 0; i < upstream.size(); i++) {
            UpstreamInvariants.check(upstream.get(i), handshaking && i == 0);
        }
        for (byte[] frame : proxy.toClient()) {
            assertEquals(frame.length - Integer.BYTES, ByteBuffer.wrap(frame).getInt(), "client frame length field");
        }
        assertFalse(proxy.finish(), "unread messages left");
        proxy.alloc.assertAllReleased();
        long allocated = proxy.alloc.allocatedBytes() - before;
        long input = first.length + second.length;
        assertTrue(allocated <= 16 * input + 64 * 1024, allocated + " bytes allocated for " + input + " bytes in");
    }
}
