package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * A connection's client frames behind a write that waits for a fresh count of the tenant's usage
 * ({@code RequestOutcome.Hold}): that write first, then every frame that arrives meanwhile, in order, so replies keep
 * xid order. When the count is in, the held write is decided again, then the frames behind it are handled one by one
 * until one holds again. While frames are held the connection must not read more (the caller checks
 * {@link #holding()}), so what is held is bounded by one socket read batch.
 *
 * <p>Single-threaded: only the connection's event loop calls it.
 */
final class HeldFrames {
    private final ArrayDeque<ByteBuf> frames = new ArrayDeque<>();
    private final EventLoop loop;
    private final Consumer<ByteBuf> decideHeld;
    private final Consumer<ByteBuf> handleNext;
    private final Runnable afterRelease;
    private boolean holding;

    /**
     * @param loop         the connection's event loop, where the release runs
     * @param decideHeld   decides the held write again once counted; does not take ownership of it
     * @param handleNext   takes each frame that was behind it, and owns it from then on
     * @param afterRelease runs after each release (flush, resume reading)
     */
    HeldFrames(EventLoop loop, Consumer<ByteBuf> decideHeld, Consumer<ByteBuf> handleNext, Runnable afterRelease) {
        this.loop = loop;
        this.decideHeld = decideHeld;
        this.handleNext = handleNext;
        this.afterRelease = afterRelease;
    }

    /** @return whether a write waits for its count (frames must queue behind it and the client not be read) */
    boolean holding() {
        return holding;
    }

    /**
     * Holds a write until {@code until} completes (normally or not), ahead of every frame already queued behind.
     *
     * @param write a client frame, retained here (the caller still releases its own reference)
     */
    void hold(ByteBuf write, CompletionStage<?> until) {
        holding = true;
        frames.addFirst(write.retain());
        until.whenComplete((ignored, error) -> loop.execute(this::release));
    }

    /** Queues a frame behind the held write; this queue owns it from now on. */
    void queue(ByteBuf frame) {
        frames.addLast(frame);
    }

    private void release() {
        holding = false;
        ByteBuf write = frames.poll();
        if (write == null) {
            return; // discarded meanwhile: the connection closed
        }
        try {
            decideHeld.accept(write);
        } finally {
            write.release();
        }
        ByteBuf next;
        while (!holding && (next = frames.poll()) != null) {
            handleNext.accept(next);
        }
        afterRelease.run();
    }

    /** Releases every frame held: the connection is closing. */
    void discard() {
        ByteBuf frame;
        while ((frame = frames.poll()) != null) {
            frame.release();
        }
    }
}
