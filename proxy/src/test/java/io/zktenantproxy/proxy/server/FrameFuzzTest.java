package io.zktenantproxy.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.zktenantproxy.protocol.FrameDecoder;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.ProtocolException;
import io.zktenantproxy.protocol.TenantConnection;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.GoldenReplies;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.Mutation;
import io.zktenantproxy.protocol.testkit.UpstreamInvariants;
import io.zktenantproxy.proxy.metrics.CloseReason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.LoggerFactory;

/**
 * Random and mutated frames through the real handlers ({@link ConnectionHarness}: {@link FrameDecoder}, {@link
 * Connection}, {@link TenantConnection}), both directions. The seeds are the golden frames (every opcode, request and
 * reply), damaged by bit flips, boundary ints in length and count fields, truncation, insertion and deletion, with
 * the frame length fixed up or not.
 *
 * <p>Whatever the input: no exception escapes the channels, and a connection that closed did so for a protocol error
 * ({@link #PROTOCOL_ERRORS}), never for anything else (an unexpected exception in the handlers closes it as {@link
 * CloseReason#IO_ERROR}); nothing hangs; every buffer is released; allocation stays within a small multiple of the
 * input; and whatever is forwarded upstream is a well-formed frame jute can read whose every path lies under the
 * chroot ({@link UpstreamInvariants}).
 */
class FrameFuzzTest {
    private static final Duration NO_HANG = Duration.ofSeconds(10);
    private static final List<byte[]> REQUEST_SEEDS = GoldenCases.requests().stream()
            .map(GoldenCases.Request::client).toList();
    private static final List<GoldenReplies.Reply> REPLY_SEEDS = GoldenReplies.cases();
    /** What a connection may be closed for here: the reason of every kind of {@link ProtocolException}. */
    private static final Set<CloseReason> PROTOCOL_ERRORS = Arrays.stream(ProtocolException.Kind.values())
            .map(kind -> CloseReason.of(new ProtocolException(kind, "fuzz")))
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(CloseReason.class)));
    /** The connection logs each protocol close at INFO: thousands here. Its WARN (an unexpected error) stays on. */
    private static final Logger CONNECTION_LOG = (Logger) LoggerFactory.getLogger(Connection.class);
    private static Level connectionLogLevel;

    @BeforeContainer
    static void onlyWarningsOfTheConnection() {
        connectionLogLevel = CONNECTION_LOG.getLevel();
        CONNECTION_LOG.setLevel(Level.WARN);
    }

    @AfterContainer
    static void connectionLogAsBefore() {
        CONNECTION_LOG.setLevel(connectionLogLevel);
    }

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
        ConnectionHarness proxy = established(null);
        feed(proxy, frame, next, true);
    }

    @Property(tries = 1000)
    void mutatedRepliesFailOnlyAsProtocolErrors(@ForAll("replySeed") int seed, @ForAll("mutations") List<Mutation> edits,
                                               @ForAll boolean fixLength) {
        GoldenReplies.Reply reply = REPLY_SEEDS.get(seed);
        ConnectionHarness proxy = established(reply.op());
        byte[] mutated = Mutation.apply(reply.server(), edits, fixLength);
        feed(proxy, mutated, new byte[0], false);
    }

    @Property(tries = 300)
    void randomBytesAsAClientsFirstBytes(@ForAll @Size(max = 300) byte[] bytes) {
        ConnectionHarness proxy = new ConnectionHarness();
        feed(proxy, bytes, new byte[0], true);
    }

    @Property(tries = 300)
    void randomBytesAfterTheHandshake(@ForAll @Size(max = 300) byte[] bytes, @ForAll boolean fromServer) {
        ConnectionHarness proxy = established(OpCode.GET_DATA);
        feed(proxy, bytes, new byte[0], !fromServer);
    }

    /** Random bytes behind a valid length: the decoders must read into them rather than wait. */
    @Property(tries = 300)
    void randomBodiesInWholeFrames(@ForAll @Size(max = 300) byte[] body, @ForAll boolean fromServer) {
        ConnectionHarness proxy = established(OpCode.MULTI);
        feed(proxy, JuteFrames.frame(body), new byte[0], !fromServer);
    }

    /**
     * A connection past its handshake, with the canonical request of {@code pending} (if any) awaiting its reply,
     * and behind it the proxy's own session marker, which stays unanswered.
     */
    private static ConnectionHarness established(OpCode pending) {
        ConnectionHarness proxy = new ConnectionHarness();
        proxy.fromClient(ConnectionHarness.CONNECT_REQUEST);
        if (pending != null && pending != OpCode.NOTIFICATION) {
            proxy.fromClient(GoldenCases.canonical(pending).client());
        }
        proxy.fromServer(ConnectionHarness.CONNECT_RESPONSE);
        proxy.toUpstream();
        proxy.toClient();
        return proxy;
    }

    private static void feed(ConnectionHarness proxy, byte[] first, byte[] second, boolean fromClient) {
        long before = proxy.alloc.allocatedBytes();
        boolean handshaking = proxy.upstream() == null; // no ConnectRequest has been dialled out yet
        assertTimeoutPreemptively(NO_HANG, () -> {
            try {
                if (fromClient) {
                    proxy.fromClient(first);
                    proxy.fromClient(second);
                } else {
                    proxy.fromServer(first);
                    proxy.fromServer(second);
                }
            } catch (Throwable t) {
                fail("an exception escaped the handlers: " + t, t);
            }
        });
        for (CloseReason reason : proxy.closeReasons()) {
            assertTrue(PROTOCOL_ERRORS.contains(reason), "closed for " + reason.tag() + ", not for a protocol error");
        }
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
