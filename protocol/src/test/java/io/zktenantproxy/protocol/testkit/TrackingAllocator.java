package io.zktenantproxy.protocol.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled allocator that remembers every buffer it hands out, so a test can assert deterministically that all of
 * them were released (the leak detector only reports after a GC, and only in a log). It also sums what was
 * allocated, which the fuzz tests bound. The EmbeddedChannel tests also run under the PARANOID leak detector
 * ({@link ParanoidLeakDetection}), which records where an escaped buffer was last touched. The Jazzer targets
 * ({@code io.zktenantproxy.protocol.fuzz}) check with it after every input that each buffer was released exactly
 * down to zero: a leak leaves a count above zero, a double release throws on its own.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> buffers = new ArrayList<>();
    private long allocatedBytes;

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity) {
            @Override
            protected byte[] allocateArray(int capacity) {
                allocatedBytes += capacity; // also counts every re-allocation when the buffer grows
                return super.allocateArray(capacity);
            }
        });
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        allocatedBytes += initialCapacity;
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
        return track(super.compositeHeapBuffer(maxNumComponents));
    }

    @Override
    public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
        return track(super.compositeDirectBuffer(maxNumComponents));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** A tracked heap buffer holding {@code bytes}. */
    public ByteBuf wrap(byte[] bytes) {
        return heapBuffer(bytes.length).writeBytes(bytes);
    }

    /** @return bytes of buffer memory allocated so far, growth included */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** Fails naming the first buffer still referenced. */
    public void assertAllReleased() {
        for (int i = 0; i < buffers.size(); i++) {
            ByteBuf buf = buffers.get(i);
            if (buf.refCnt() != 0) {
                fail("buffer #" + i + " of " + buffers.size() + " not released (refCnt " + buf.refCnt() + "): " + buf);
            }
        }
    }

    private <B extends ByteBuf> B track(B buf) {
        buffers.add(buf);
        return buf;
    }
}
