package io.zktenantproxy.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.zktenantproxy.proxy.metrics.ListenerMeters;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link HandshakeSlots} on embedded channels (one thread, a clock the test moves): the cap, newest-first grants, the
 * wait deadline, waiters whose client went away, and the re-fired {@code channelActive}.
 */
class HandshakeSlotsTest {
    private static final long WAIT_MS = 2_000;

    private final ProxyMetrics metrics = ProxyMetrics.prometheus();
    private final ListenerMeters meters = metrics.listener("acme");
    private final HandshakeSlots slots = new HandshakeSlots("acme", 2, WAIT_MS, meters);
    /** The channels whose pipeline was built, in order, and how many channelActive each handler saw. */
    private final List<Channel> started = new ArrayList<>();
    private final List<int[]> activations = new ArrayList<>();

    /**
     * A connection accepted now: what ConnectionInitializer does once the channel is registered, with a handler that
     * counts channelActive (an embedded channel is active at once, so only a pipeline built late sees one).
     */
    private EmbeddedChannel accept() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        slots.offer(channel, ch -> {
            started.add(ch);
            int[] seen = new int[1];
            activations.add(seen);
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    seen[0]++;
                }
            });
        });
        return channel;
    }

    @Test
    void startsUpToTheLimitAndParksTheRestUnread() {
        EmbeddedChannel first = accept();
        EmbeddedChannel second = accept();
        EmbeddedChannel third = accept();
        assertEquals(List.of(first, second), started);
        assertTrue(first.config().isAutoRead());
        assertFalse(third.config().isAutoRead(), "a waiter is not read");
        assertEquals(2, meters.inProgress());
        assertEquals(1.0, gauge("waiting"));
    }

    @Test
    void aFinishedHandshakeGivesItsSlotToTheNewestWaiter() {
        EmbeddedChannel first = accept();
        accept();
        EmbeddedChannel older = accept();
        EmbeddedChannel newer = accept();

        HandshakeSlots.handshakeDone(first);
        newer.runPendingTasks();
        older.runPendingTasks();

        assertEquals(newer, started.get(2), "newest first");
        assertEquals(3, started.size());
        assertTrue(newer.config().isAutoRead());
        assertEquals(1, activations.get(2)[0], "channelActive re-fired for the pipeline built late");
        assertTrue(first.isOpen(), "a finished handshake's connection stays");
        assertEquals(2, meters.inProgress());

        HandshakeSlots.handshakeDone(first);
        older.runPendingTasks();
        assertEquals(3, started.size(), "a second call frees nothing more");

        older.advanceTimeBy(WAIT_MS, TimeUnit.MILLISECONDS);
        older.runScheduledPendingTasks();
        assertFalse(older.isOpen(), "the older waiter is shed when its wait is up");
        assertEquals(1, meters.shedCount());
    }

    @Test
    void aClosedConnectionFreesItsSlotAndAClosedWaiterIsSkipped() {
        EmbeddedChannel first = accept();
        accept();
        EmbeddedChannel older = accept();
        EmbeddedChannel gone = accept();
        gone.close();

        first.close();
        older.runPendingTasks();

        assertEquals(older, started.get(2), "the waiter whose client left is skipped");
        assertEquals(2, meters.inProgress());
        assertEquals(0.0, gauge("waiting"));
    }

    @Test
    void aWaiterIsShedWhenItsWaitIsUp() {
        accept();
        accept();
        EmbeddedChannel waiter = accept();

        waiter.advanceTimeBy(WAIT_MS - 1, TimeUnit.MILLISECONDS);
        waiter.runScheduledPendingTasks();
        assertTrue(waiter.isOpen());

        waiter.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        waiter.runScheduledPendingTasks();
        assertFalse(waiter.isOpen(), "shed");
        assertEquals(1, meters.shedCount());
        assertEquals(0.0, gauge("waiting"));
        assertEquals(2, started.size(), "never started");
    }

    @Test
    void aGrantedWaiterIsNotShedLater() {
        EmbeddedChannel first = accept();
        accept();
        EmbeddedChannel waiter = accept();
        HandshakeSlots.handshakeDone(first);
        waiter.runPendingTasks();

        waiter.advanceTimeBy(WAIT_MS * 2, TimeUnit.MILLISECONDS);
        waiter.runScheduledPendingTasks();
        assertTrue(waiter.isOpen());
        assertEquals(0, meters.shedCount());
    }

    @Test
    void beyondTheLongestQueueTheOldestWaiterIsShedAtOnce() {
        accept();
        accept();
        EmbeddedChannel oldest = accept();
        for (int i = 1; i < HandshakeSlots.MAX_WAITING; i++) {
            accept();
        }
        assertTrue(oldest.isOpen());
        accept();
        oldest.runPendingTasks();
        assertFalse(oldest.isOpen());
        assertEquals(1, meters.shedCount());
        assertEquals(HandshakeSlots.MAX_WAITING, gauge("waiting"));
    }

    private double gauge(String which) {
        return metrics.registry().get("zktp.listener.handshakes." + which).tag("listener", "acme").gauge().value();
    }
}
