package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.zktenantproxy.protocol.FrameDecoder;

/**
 * How a {@link FrameDecoder} gathers a frame that spans several socket reads. Small frames are merged into one buffer
 * (Netty's default, cheapest to parse); a frame longer than {@link #COMPOSE_ABOVE} is composed of the read buffers
 * themselves, so a large payload (a 1 MiB setData arrives in a dozen reads or more) is never copied by the proxy:
 * the rewritten frame is a header plus a slice of that composite, written with one gathering write.
 */
final class FrameCumulator implements ByteToMessageDecoder.Cumulator {
    /** Frames above this many bytes are composed rather than merged. */
    static final int COMPOSE_ABOVE = 64 * 1024;
    static final FrameCumulator INSTANCE = new FrameCumulator();

    private FrameCumulator() {
    }

    /** A frame decoder gathering frames with this cumulator. */
    static FrameDecoder decoder(int maxFrameLength, boolean acceptFourLetterWords) {
        FrameDecoder decoder = new FrameDecoder(maxFrameLength, acceptFourLetterWords);
        decoder.setCumulator(INSTANCE);
        return decoder;
    }

    @Override
    public ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        if (cumulation instanceof CompositeByteBuf composite && composite.refCnt() == 1) {
            // Netty drops the components already read only now and then, and only while no frame is out (refCnt 1).
            // A tenant streaming 1 MiB creates, each held (paced by its budget, then waiting for a quota count and
            // refused), kept one composite of every read buffer of the stream: 4 700 of them, 1 GiB of direct
            // memory in 32 s (FloodBench, docs/BENCHMARKS.md). Nothing refers to the components read so far now.
            composite.discardReadComponents();
        }
        boolean large = cumulation instanceof CompositeByteBuf
                || cumulation.readableBytes() >= Integer.BYTES
                && cumulation.getInt(cumulation.readerIndex()) > COMPOSE_ABOVE;
        return (large ? ByteToMessageDecoder.COMPOSITE_CUMULATOR : ByteToMessageDecoder.MERGE_CUMULATOR)
                .cumulate(alloc, cumulation, in);
    }
}
