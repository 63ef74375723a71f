package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.ParanoidLeakDetection;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FrameDecoder} alone in an {@link EmbeddedChannel}: whole, split and byte-at-a-time input, truncated input,
 * length bounds, four-letter words. Every test ends with nothing left in the channel and every buffer released.
 */
@ExtendWith(ParanoidLeakDetection.class)
class FrameDecoderTest {
    private static final int MAX = 64;
    private final TrackingAllocator alloc = new TrackingAllocator();

    @AfterEach
    void nothingLeaked() {
        alloc.assertAllReleased();
    }

    private EmbeddedChannel channel(boolean client) {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(MAX, client));
        channel.config().setAllocator(alloc);
        return channel;
    }

    private static byte[] frame(int bodyLength, int fill) {
        byte[] body = new byte[bodyLength];
        Arrays.fill(body, (byte) fill);
        return JuteFrames.frame(body);
    }

    private void write(EmbeddedChannel channel, byte[] bytes) {
        channel.writeInbound(alloc.wrap(bytes));
    }

    /** Reads (and releases) every frame the decoder emitted. */
    private static List<byte[]> frames(EmbeddedChannel channel) {
        List<byte[]> frames = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readInbound()) != null) {
            frames.add(ConnectionDriver.bytes(frame));
            frame.release();
        }
        return frames;
    }

    @Test
    void wholeFramesInOneBufferComeOutOneByOneWithTheirLength() {
        EmbeddedChannel channel = channel(true);
        byte[] a = frame(8, 'a');
        byte[] empty = frame(0, 0);
        byte[] b = frame(MAX, 'b');
        write(channel, JuteFrames.concat(a, empty, b));
        List<byte[]> frames = frames(channel);
        assertEquals(3, frames.size());
        assertArrayEquals(a, frames.get(0));
        assertArrayEquals(empty, frames.get(1));
        assertArrayEquals(b, frames.get(2), "a body of exactly the maximum is accepted");
        assertFalse(channel.finish());
    }

    @Test
    void oneByteAtATime() {
        EmbeddedChannel channel = channel(true);
        byte[] stream = JuteFrames.concat(frame(5, 1), frame(0, 0), frame(17, 2));
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < stream.length; i++) {
            write(channel, new byte[] {stream[i]});
            List<byte[]> emitted = frames(channel);
            // a frame comes out exactly when its last byte arrives: after bytes 9, 13 and 34
            assertEquals(i == 8 || i == 12 || i == stream.length - 1 ? 1 : 0, emitted.size(), "after byte " + i);
            frames.addAll(emitted);
        }
        assertArrayEquals(stream, JuteFrames.concat(frames.toArray(new byte[0][])));
        assertFalse(channel.finish());
    }

    @Test
    void truncatedFrameEmitsNothingAndIsDroppedOnClose() {
        EmbeddedChannel channel = channel(false);
        byte[] whole = frame(20, 3);
        write(channel, Arrays.copyOf(whole, 3));
        write(channel, Arrays.copyOfRange(whole, 3, 15));
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {MAX + 1, Integer.MAX_VALUE, -1, Integer.MIN_VALUE})
    void lengthOutOfBoundsIsAFrameLengthErrorAndTheDecoderTurnsTerminal(int length) {
        EmbeddedChannel channel = channel(false);
        write(channel, frame(2, 1));
        byte[] bad = RawFrame.body().i(length, 0).bytes();
        ProtocolException e = assertThrows(ProtocolException.class, () -> write(channel, bad));
        assertEquals(ProtocolException.Kind.FRAME_LENGTH, e.kind());
        assertTrue(e.getMessage().contains("length " + length + " (expected: 0.." + MAX + ")"), e.getMessage());
        assertEquals(1, frames(channel).size(), "the frame before the bad one was emitted");
        write(channel, frame(2, 1)); // discarded: the stream is beyond repair
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void lengthIsCheckedBeforeTheBodyArrives() {
        EmbeddedChannel channel = channel(false);
        assertThrows(ProtocolException.class, () -> write(channel, RawFrame.body().i(MAX + 1).bytes()));
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ruok", "stat", "srvr", "mntr", "cons", "dump", "wchp", "wchc", "envi", "conf"})
    void fourLetterWordAsFirstBytesOfAClientConnection(String word) {
        EmbeddedChannel channel = channel(true);
        for (byte b : (word + "\n").getBytes(StandardCharsets.US_ASCII)) {
            write(channel, new byte[] {b});
        }
        assertEquals(new FourLetterWord(word), channel.readInbound());
        write(channel, frame(2, 1)); // after a four-letter word the stream is over
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void fourLetterWordLaterOrOnTheServerSideIsAFrameLength() {
        EmbeddedChannel client = channel(true);
        write(client, frame(1, 1));
        frames(client);
        assertEquals(ProtocolException.Kind.FRAME_LENGTH, assertThrows(ProtocolException.class,
                () -> write(client, "ruok".getBytes(StandardCharsets.US_ASCII))).kind());
        assertFalse(client.finish());

        EmbeddedChannel server = channel(false);
        assertEquals(ProtocolException.Kind.FRAME_LENGTH, assertThrows(ProtocolException.class,
                () -> write(server, "ruok".getBytes(StandardCharsets.US_ASCII))).kind());
        assertFalse(server.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x01, 0x03, 0x04}) // TLS 1.0 record version in a ClientHello, TLS 1.2, TLS 1.3 draft
    void tlsClientHelloAsFirstBytesOfAClientConnectionIsNamedSo(int minor) {
        byte[] hello = {0x16, 0x03, (byte) minor, 0x01, 0x00, 0x01, 0x00, 0x01, 0x03, 0x03};
        EmbeddedChannel client = channel(true);
        assertEquals(ProtocolException.Kind.TLS_ON_PLAIN, assertThrows(ProtocolException.class,
                () -> write(client, hello)).kind());
        assertFalse(client.finish());

        EmbeddedChannel later = channel(true);
        write(later, frame(1, 1));
        frames(later);
        assertEquals(ProtocolException.Kind.FRAME_LENGTH, assertThrows(ProtocolException.class,
                () -> write(later, hello)).kind(), "after the first frame it is only a length");
        assertFalse(later.finish());
    }

    @Test
    void unknownFourLettersAreALengthLikeAnyOther() {
        EmbeddedChannel channel = channel(true);
        assertThrows(ProtocolException.class, () -> write(channel, "abcd".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(channel.finish());
    }

    @Test
    void fourLetterWordCodesAreTheirAsciiBytes() {
        assertEquals(0x72756f6b, new FourLetterWord("ruok").code());
        assertEquals(new FourLetterWord("ruok"), FourLetterWord.of(0x72756f6b));
        assertNull(FourLetterWord.of(0x61626364));
        assertNull(FourLetterWord.of(16));
    }

    @Test
    void negativeMaximumIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(-1, false));
    }
}
