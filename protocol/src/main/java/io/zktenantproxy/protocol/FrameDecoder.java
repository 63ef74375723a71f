package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a ZooKeeper byte stream into frames.
 *
 * <pre>
 * +----------------+---------------------------+
 * | length: int32  | body: length bytes        |   every frame, both directions
 * +----------------+---------------------------+
 * </pre>
 *
 * Emits each frame as a retained slice that <em>includes</em> its 4-byte length, so a frame the proxy does not
 * rewrite is forwarded as the very same buffer. On a client connection ({@code acceptFourLetterWords}) the first
 * four bytes may instead be a {@link FourLetterWord}, which is emitted as such and ends the stream.
 *
 * <p>On a client connection, first bytes that open a TLS handshake record ({@code 0x16 0x03}: a TLS client on a
 * plain listener) fail with {@link ProtocolException.Kind#TLS_ON_PLAIN}, so the refusal says so; the length they
 * would give (over 369 MB) is refused anyway. A length below zero or above {@code maxFrameLength} fails with
 * {@link ProtocolException.Kind#FRAME_LENGTH};
 * after a failure or a four-letter word the decoder is terminal and discards everything until the channel closes.
 * One instance per channel (stateful).
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** ZooKeeper's default {@code jute.maxbuffer} (0xfffff) rounded up to 1 MiB, plus 1 KiB of header slack. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1024 * 1024 + 1024;

    /** A TLS record of type handshake (22), protocol major version 3: what every ClientHello starts with. */
    private static final int TLS_HANDSHAKE_RECORD = 0x1603;

    private final int maxFrameLength;
    private boolean acceptFourLetterWords;
    private boolean terminal;

    /**
     * @param maxFrameLength        largest body length accepted, in bytes (not counting the 4-byte length)
     * @param acceptFourLetterWords whether this is a client connection, where a four-letter word may come first
     */
    public FrameDecoder(int maxFrameLength, boolean acceptFourLetterWords) {
        if (maxFrameLength < 0) {
            throw new IllegalArgumentException("maxFrameLength: " + maxFrameLength + " (expected: >= 0)");
        }
        this.maxFrameLength = maxFrameLength;
        this.acceptFourLetterWords = acceptFourLetterWords;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (terminal) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < Integer.BYTES) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (acceptFourLetterWords) {
            acceptFourLetterWords = false;
            FourLetterWord word = FourLetterWord.of(length);
            if (word != null) {
                in.skipBytes(Integer.BYTES);
                terminal = true;
                out.add(word);
                return;
            }
            if ((length >>> 16) == TLS_HANDSHAKE_RECORD) {
                terminal = true;
                in.skipBytes(in.readableBytes());
                throw new ProtocolException(ProtocolException.Kind.TLS_ON_PLAIN, "the client opened a TLS handshake "
                        + "on a plain listener");
            }
        }
        if (length < 0 || length > maxFrameLength) {
            terminal = true;
            in.skipBytes(in.readableBytes());
            throw new ProtocolException(ProtocolException.Kind.FRAME_LENGTH, "length " + length + " (expected: 0.."
                    + maxFrameLength + ")");
        }
        if (in.readableBytes() < Integer.BYTES + length) {
            return;
        }
        out.add(in.readRetainedSlice(Integer.BYTES + length));
    }
}
