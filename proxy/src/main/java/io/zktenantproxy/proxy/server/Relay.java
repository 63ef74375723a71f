package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

/**
 * Moves frames between a connection's two channels, in the shape of Netty's proxy example: writes in both directions,
 * one flush per read batch rather than per frame, and backpressure by auto-read in both directions. Until the
 * upstream channel is connected, frames for it wait here in order.
 *
 * <ul>
 *   <li>The client is read only while it takes its replies (it is writable), the connection's own gates allow it
 *       ({@code mayReadClient}: no frame waits for the budget, fewer than {@code maxInFlight} unanswered requests), and
 *       upstream has room (writable; or, before it connects, fewer than {@code maxInFlight} frames queued here).
 *       Replies the proxy makes itself are never in flight, so a client that sends refused requests without
 *       reading would otherwise grow its outbound buffer without bound.</li>
 *   <li>Upstream is read only while the client is writable.</li>
 * </ul>
 *
 * <p>Owned by the client channel's event loop (the upstream channel is registered on the same loop): no locks.
 */
final class Relay {
    private final Channel client;
    private final int maxInFlight;
    private final BooleanSupplier mayReadClient;
    private final TenantMeters meters;
    private final TenantBudget budget;
    private final ArrayDeque<ByteBuf> awaitingUpstream = new ArrayDeque<>();
    private Channel upstream;
    private boolean clientFlushNeeded;
    private boolean upstreamFlushNeeded;
    private boolean released;

    /**
     * @param maxInFlight   the bound on frames queued for an upstream that is not connected yet
     * @param mayReadClient the connection's own conditions for reading the client
     * @param budget        the tenant's budget, charged with every byte sent to the client
     */
    Relay(Channel client, int maxInFlight, BooleanSupplier mayReadClient, TenantMeters meters, TenantBudget budget) {
        this.client = client;
        this.maxInFlight = maxInFlight;
        this.mayReadClient = mayReadClient;
        this.meters = meters;
        this.budget = budget;
    }

    /** Writes a frame for the ensemble, or queues it until upstream is connected; takes ownership of {@code frame}. */
    void toUpstream(ByteBuf frame) {
        if (released) {
            frame.release();
        } else if (upstream != null) {
            upstream.write(frame);
            upstreamFlushNeeded = true;
        } else {
            awaitingUpstream.add(frame);
        }
    }

    /**
     * The one way to the client: every reply, watch event and local answer leaves through here. Counts the bytes
     * and charges them to the tenant's byte budget; takes ownership of {@code frame}.
     */
    void toClient(ByteBuf frame) {
        if (released) {
            frame.release();
            return;
        }
        meters.bytesOut(frame.readableBytes());
        budget.charge(frame.readableBytes());
        client.write(frame);
        clientFlushNeeded = true;
    }

    /** Takes the connected upstream channel and sends it everything queued so far. */
    void upstreamConnected(Channel channel) {
        upstream = channel;
        ByteBuf frame;
        while ((frame = awaitingUpstream.poll()) != null) {
            upstream.write(frame);
        }
        upstream.flush();
        upstream.config().setAutoRead(client.isWritable());
        updateClientReading();
    }

    /** @return the upstream channel, or null before it is connected */
    Channel upstream() {
        return upstream;
    }

    /** Flushes whichever side was written to since the last flush. */
    void flush() {
        if (upstreamFlushNeeded) {
            upstreamFlushNeeded = false;
            upstream.flush();
        }
        if (clientFlushNeeded) {
            clientFlushNeeded = false;
            client.flush();
        }
    }

    /** Turns reading of the client on or off; see the class comment for when. */
    void updateClientReading() {
        if (released) {
            return;
        }
        boolean read = client.isWritable() && mayReadClient.getAsBoolean()
                && (upstream != null ? upstream.isWritable() : awaitingUpstream.size() < maxInFlight);
        if (client.config().isAutoRead() != read) {
            client.config().setAutoRead(read);
        }
    }

    /** The client's writability changed: upstream is read only while the client takes what it is sent. */
    void clientWritabilityChanged() {
        if (upstream != null && !released) {
            upstream.config().setAutoRead(client.isWritable());
        }
        updateClientReading();
    }

    /**
     * Stops relaying: closes the upstream channel and releases queued frames; frames handed in afterwards are
     * released at once. What was already written to the client is still flushed by the caller's close.
     */
    void close() {
        released = true;
        if (upstream != null) {
            upstream.close();
        }
        ByteBuf frame;
        while ((frame = awaitingUpstream.poll()) != null) {
            frame.release();
        }
    }
}
