package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The requests of one connection still waiting for their reply, oldest first, as {@code ClientCnxn.pendingQueue}
 * keeps them. Replies carry no opcode, so the head tells how to read the next reply; a reply whose xid is not the
 * head's is fatal, as it is to the Java client ("Xid out of order").
 *
 * <p>Requests the proxy answers itself are queued here too, holding their ready reply: a local reply is sent only
 * after every earlier upstream reply, so the client sees replies in xid order. Invariant: the head, if any, awaits an
 * upstream reply (local replies at the head are drained at once).
 *
 * <p>Not thread-safe: owned by the connection's event loop.
 */
final class PendingRequests {
    /**
     * One pending request: {@code local} is null while the reply is expected from upstream; {@code proxyOwned}
     * marks a request the proxy sent on the session itself, whose reply the client must not see.
     */
    static final class Entry {
        final int xid;
        final OpCode op;
        final long sentNanos;
        final ByteBuf local;
        final boolean proxyOwned;
        /** The quota charge reserved for it, settled by its reply; null for most requests. */
        final QuotaCharge charge;
        /** The watch change it makes if it succeeds; null for most requests. */
        final WatchLedger.Change watch;

        Entry(int xid, OpCode op, long sentNanos, ByteBuf local, boolean proxyOwned) {
            this(xid, op, sentNanos, local, proxyOwned, null, null);
        }

        Entry(int xid, OpCode op, long sentNanos, ByteBuf local, boolean proxyOwned, QuotaCharge charge,
              WatchLedger.Change watch) {
            this.xid = xid;
            this.op = op;
            this.sentNanos = sentNanos;
            this.local = local;
            this.proxyOwned = proxyOwned;
            this.charge = charge;
            this.watch = watch;
        }
    }

    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final Consumer<ByteBuf> toClient;

    /** @param toClient where local replies go once every earlier reply has */
    PendingRequests(Consumer<ByteBuf> toClient) {
        this.toClient = toClient;
    }

    /** Queues the handshake: nothing may reach the client before the server's ConnectResponse. */
    void expectHandshake() {
        queue.addLast(new Entry(0, null, 0, null, false));
    }

    /**
     * Takes the handshake off the head.
     *
     * @throws ProtocolException ({@code HANDSHAKE}) if the head is not the handshake
     */
    void completeHandshake() {
        Entry head = queue.peekFirst();
        if (head == null || head.op != null || head.local != null) {
            throw new ProtocolException(ProtocolException.Kind.HANDSHAKE, "ConnectResponse without a ConnectRequest");
        }
        queue.removeFirst();
    }

    void expectUpstream(int xid, OpCode op, long sentNanos, boolean proxyOwned) {
        queue.addLast(new Entry(xid, op, sentNanos, null, proxyOwned));
    }

    /** A request whose reply settles a quota charge or a watch change (either may be null). */
    void expectUpstream(int xid, OpCode op, long sentNanos, QuotaCharge charge, WatchLedger.Change watch) {
        queue.addLast(new Entry(xid, op, sentNanos, null, false, charge, watch));
    }

    /** Sends {@code reply} now if nothing is pending, else queues it behind the pending requests. */
    void answerLocally(int xid, ByteBuf reply) {
        if (queue.isEmpty()) {
            toClient.accept(reply);
        } else {
            queue.addLast(new Entry(xid, null, 0, reply, false));
        }
    }

    /**
     * Takes the head for the upstream reply with {@code xid}.
     *
     * @throws ProtocolException ({@code XID}) if nothing is pending or the head has another xid
     */
    Entry completeUpstream(int xid) {
        Entry head = queue.peekFirst();
        if (head == null || head.op == null || head.xid != xid) {
            throw new ProtocolException(ProtocolException.Kind.XID, "reply xid " + xid + " (expected: "
                    + (head == null ? "no reply" : Integer.toString(head.xid)) + ")");
        }
        return queue.removeFirst();
    }

    /**
     * Sends every local reply now at the head, in order, stamped with {@code zxid}: the client adopts any positive
     * reply zxid as its last seen one ({@code ClientCnxn}), so a local reply that waited behind newer upstream
     * replies must not carry the older zxid it was built with, or the client's lastZxid would go back in time.
     */
    void drainLocal(long zxid) {
        Entry head;
        while ((head = queue.peekFirst()) != null && head.local != null) {
            queue.removeFirst();
            head.local.setLong(head.local.readerIndex() + 2 * Integer.BYTES, zxid); // after length and xid
            toClient.accept(head.local);
        }
    }

    /** @return requests waiting for a reply, upstream or local */
    int size() {
        return queue.size();
    }

    /**
     * Releases every queued local reply; the connection is closing. Requests still waiting for a reply are handed to
     * {@code unanswered} (their quota charges and watch places must be given back).
     */
    void releaseAll(Consumer<Entry> unanswered) {
        Entry entry;
        while ((entry = queue.pollFirst()) != null) {
            if (entry.local != null) {
                entry.local.release();
            } else if (entry.op != null) {
                unanswered.accept(entry);
            }
        }
    }
}
