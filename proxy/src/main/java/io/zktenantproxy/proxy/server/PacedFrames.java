package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A connection's client frames that are waiting for their slot in the tenant's {@link TenantBudget}, in arrival
 * order, each with the {@link System#nanoTime()} it is due. One timer on the connection's event loop wakes at the
 * head's due time and hands every frame due by then to the connection. While frames wait the connection must not
 * read more (the caller checks {@link #isEmpty()}), so what is held is bounded by one socket read batch.
 *
 * <p>Single-threaded: only the connection's event loop calls it.
 */
final class PacedFrames {
    /** Frames due this close to now go with the batch already being sent: saves a timer wake-up for each. */
    private static final long SLACK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final ArrayDeque<Held> frames = new ArrayDeque<>();
    private final EventLoop loop;
    private final Consumer<ByteBuf> release;
    private final Runnable afterRelease;
    private ScheduledFuture<?> timer;

    /**
     * @param loop         the connection's event loop
     * @param release      takes each frame when it is due, and owns it from then on
     * @param afterRelease runs after each batch released by the timer (flush, resume reading)
     */
    PacedFrames(EventLoop loop, Consumer<ByteBuf> release, Runnable afterRelease) {
        this.loop = loop;
        this.release = release;
        this.afterRelease = afterRelease;
    }

    /** @return true when no frame is waiting */
    boolean isEmpty() {
        return frames.isEmpty();
    }

    /**
     * Holds a frame until {@code dueNanos}, behind every frame held before it.
     *
     * @param frame    a client frame, owned by this queue until released or {@link #discard discarded}
     * @param dueNanos {@link System#nanoTime()} at which it may go
     */
    void hold(ByteBuf frame, long dueNanos) {
        frames.add(new Held(frame, dueNanos));
        if (timer == null) {
            schedule(dueNanos);
        }
    }

    private void schedule(long dueNanos) {
        timer = loop.schedule(this::releaseDue, Math.max(0, dueNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void releaseDue() {
        timer = null;
        long horizon = System.nanoTime() + SLACK_NANOS;
        while (!frames.isEmpty() && frames.peek().dueNanos() - horizon <= 0) {
            release.accept(frames.poll().frame());
        }
        if (!frames.isEmpty() && timer == null) {
            schedule(frames.peek().dueNanos());
        }
        afterRelease.run();
    }

    /** Releases the buffers of every frame still held and stops the timer: the connection is closing. */
    void discard() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        Held held;
        while ((held = frames.poll()) != null) {
            held.frame().release();
        }
    }

    private record Held(ByteBuf frame, long dueNanos) {
    }
}
