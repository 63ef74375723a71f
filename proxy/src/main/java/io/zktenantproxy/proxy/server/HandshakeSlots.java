package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import io.zktenantproxy.proxy.metrics.ListenerMeters;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission by concurrency: at most {@code limits.maxHandshakesInProgress} connections of one listener are in their
 * handshake at a time, from the accept to their session's ConnectResponse (the TLS handshake, the ConnectRequest,
 * the session gate's ownership check on the ensemble, the upstream connect and the ensemble's answer). A connection
 * beyond that waits, accepted but unread and with no pipeline yet, so it costs a file descriptor and nothing else.
 *
 * <p>Why concurrency and newest first: when a replica dies, its sessions all resume on the survivors at once. If each
 * accepted connection started its handshake, a survivor short of CPU (TLS handshakes cost milliseconds each) would
 * finish none of them before the clients' connect timeout (session timeout / servers in the connect string), every
 * client would retry, and the retries would queue behind the abandoned handshakes: congestion collapse, measured in
 * {@code docs/RELIABILITY.md}. Capping the handshakes in progress keeps each one short; serving the newest waiter
 * first gives the slot to the client with the most time left; and a waiter that has waited {@code
 * limits.handshakeWaitMs} is closed unread ("shed"), so its client tries again (through another server of its connect
 * string, as {@code ClientCnxn} does) instead of holding a place it will have given up by the time it is served.
 * A slot is given back after {@code 2 * handshakeWaitMs} even if its handshake has not finished (the connection goes on
 * under its own handshake deadlines), so that clients trickling their handshakes cannot hold the listener's slots.
 *
 * <p>Thread-safe: the listener's connections run on several event loops; the slot counts are under this object's
 * lock, and every channel operation runs on the channel's own event loop.
 */
final class HandshakeSlots {
    private static final Logger LOG = LoggerFactory.getLogger(HandshakeSlots.class);
    private static final AttributeKey<Entry> ENTRY = AttributeKey.valueOf(HandshakeSlots.class, "entry");
    /** Waiters beyond this many shed the oldest at once, whatever their wait. */
    static final int MAX_WAITING = 4096;
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private enum State { WAITING, RUNNING, DONE }

    /** One accepted connection, from its accept to the end of its handshake. */
    private final class Entry {
        final Channel channel;
        final Consumer<Channel> start;
        State state;
        ScheduledFuture<?> deadline;
        ScheduledFuture<?> hold;

        Entry(Channel channel, Consumer<Channel> start) {
            this.channel = channel;
            this.start = start;
        }

        HandshakeSlots owner() {
            return HandshakeSlots.this;
        }
    }

    private final String listener;
    private final int limit;
    private final long waitMillis;
    private final ListenerMeters meters;
    /** Waiting connections, newest first. */
    private final Deque<Entry> waiting = new ArrayDeque<>();
    private int inProgress;
    private long shedSinceLog;
    private long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

    /**
     * @param listener   the listener's name, for the log
     * @param limit      handshakes in progress at most, > 0
     * @param waitMillis longest a connection waits for a slot before it is shed, > 0
     */
    HandshakeSlots(String listener, int limit, long waitMillis, ListenerMeters meters) {
        this.listener = listener;
        this.limit = limit;
        this.waitMillis = waitMillis;
        this.meters = meters;
    }

    /**
     * A connection was accepted: starts it now if a slot is free, else parks it (auto-read off) until one is, or sheds
     * it. Call on the channel's event loop, before it is active (from its {@code ChannelInitializer}).
     *
     * @param start builds the connection's pipeline; run once, on the channel's event loop, when the slot is granted.
     *              If the channel is already active then (it waited), the caller's handlers need its
     *              {@code channelActive} re-fired, which {@link #offer} does after {@code start}
     */
    void offer(Channel channel, Consumer<Channel> start) {
        Entry entry = new Entry(channel, start);
        channel.attr(ENTRY).set(entry);
        channel.closeFuture().addListener(f -> finish(entry));
        Entry shed = null;
        boolean startNow;
        synchronized (this) {
            startNow = inProgress < limit;
            if (startNow) {
                entry.state = State.RUNNING;
                inProgress++;
                meters.inProgress(1);
            } else {
                entry.state = State.WAITING;
                waiting.addFirst(entry);
                meters.waiting(1);
                if (waiting.size() > MAX_WAITING) {
                    shed = waiting.removeLast();
                    shed.state = State.DONE;
                    meters.waiting(-1);
                }
            }
        }
        // decided under the lock: another loop may grant this waiter its slot (and start it) as soon as it is queued
        if (startNow) {
            holdAtMost(entry);
            start.accept(channel);
            return;
        }
        channel.config().setAutoRead(false);
        entry.deadline = channel.eventLoop().schedule(() -> shedIfWaiting(entry), waitMillis, TimeUnit.MILLISECONDS);
        if (shed != null) {
            Entry oldest = shed;
            oldest.channel.eventLoop().execute(() -> close(oldest));
        }
    }

    /**
     * Gives the slot back after {@code 2 * handshakeWaitMs} even if the handshake has not finished: the connection goes
     * on under its own deadlines ({@code tls.handshakeTimeoutMs}, {@code limits.handshakeTimeoutMs}), but clients
     * that trickle their handshake (or an ensemble that answers slowly) cannot hold the listener's slots for longer.
     */
    private void holdAtMost(Entry entry) {
        entry.hold = entry.channel.eventLoop().schedule(() -> finish(entry), 2 * waitMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * The connection's handshake is over (its session's ConnectResponse went to the client, whatever it said): its
     * slot goes to the newest waiter. Later calls, and the close that follows, do nothing more.
     */
    static void handshakeDone(Channel channel) {
        Entry entry = channel.attr(ENTRY).getAndSet(null);
        if (entry != null) {
            entry.owner().finish(entry);
        }
    }

    private void finish(Entry entry) {
        Entry next;
        synchronized (this) {
            if (entry.state == State.WAITING) {
                waiting.remove(entry);
                entry.state = State.DONE;
                meters.waiting(-1);
                cancelDeadline(entry);
                return;
            }
            if (entry.state != State.RUNNING) {
                return;
            }
            entry.state = State.DONE;
            inProgress--;
            meters.inProgress(-1);
            if (entry.hold != null) {
                entry.hold.cancel(false);
            }
            next = grantNext();
        }
        if (next != null) {
            Entry granted = next;
            granted.channel.eventLoop().execute(() -> startWaited(granted));
        }
    }

    /** @return the newest waiter, now running, or null; under the lock */
    private Entry grantNext() {
        Iterator<Entry> newest = waiting.iterator();
        while (newest.hasNext()) {
            Entry candidate = newest.next();
            newest.remove();
            meters.waiting(-1);
            if (!candidate.channel.isActive()) {
                // its client gave up while it waited; the close listener finds it DONE
                candidate.state = State.DONE;
                continue;
            }
            candidate.state = State.RUNNING;
            inProgress++;
            meters.inProgress(1);
            return candidate;
        }
        return null;
    }

    /** On the channel's event loop: the waiter got its slot. */
    private void startWaited(Entry entry) {
        cancelDeadline(entry);
        Channel channel = entry.channel;
        if (!channel.isActive()) {
            finish(entry);
            return;
        }
        holdAtMost(entry);
        try {
            entry.start.accept(channel);
            channel.pipeline().fireChannelActive();
            channel.config().setAutoRead(true);
        } catch (RuntimeException e) {
            // as ChannelInitializer does for a connection started at once: closed, which gives its slot back
            LOG.warn("listener {}: cannot start a connection from {}", listener, channel.remoteAddress(), e);
            channel.close();
        }
    }

    /** On the channel's event loop: the waiter's time is up. */
    private void shedIfWaiting(Entry entry) {
        synchronized (this) {
            if (entry.state != State.WAITING) {
                return;
            }
            waiting.remove(entry);
            entry.state = State.DONE;
            meters.waiting(-1);
        }
        close(entry);
    }

    /** Closes a shed waiter: counted, and logged at most once per {@link #LOG_EVERY_NANOS} for the listener. */
    private void close(Entry entry) {
        cancelDeadline(entry);
        meters.shed();
        entry.channel.close();
        long now = System.nanoTime();
        long shedNow;
        synchronized (this) {
            shedSinceLog++;
            if (now - lastLogNanos < LOG_EVERY_NANOS) {
                return;
            }
            lastLogNanos = now;
            shedNow = shedSinceLog;
            shedSinceLog = 0;
        }
        LOG.info("listener {}: closed {} connection(s) unread after waiting {} ms for a handshake slot, or when "
                + "more than {} waited ({} handshakes in progress, limit {}: limits.maxHandshakesInProgress, "
                + "limits.handshakeWaitMs)", listener, shedNow, waitMillis, MAX_WAITING, meters.inProgress(), limit);
    }

    private static void cancelDeadline(Entry entry) {
        if (entry.deadline != null) {
            entry.deadline.cancel(false);
        }
    }
}
