package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * The protocol state of one proxied connection, both directions: handshake phases, the queue of pending requests,
 * and the chroot rewriting of every frame. The single owner of that state; it must only be used from the
 * connection's event loop (client and upstream channels share it), so it takes no locks.
 *
 * <pre>
 * client frames  --onClientFrame-->  Connect (forward untouched) | Forward (rewritten) | Answered (by the proxy)
 * server frames  --onServerFrame-->  ConnectResponse (forward untouched) | replies and watch events, stripped
 * </pre>
 *
 * Replies the proxy produces itself (refusals, invalid paths, the ensemble config) reach the client in xid order,
 * after every earlier reply and never before the server's ConnectResponse. Buffers handed to {@code toClient} and
 * returned in {@link ClientFrame}s are owned by the receiver; input frames are never released here.
 */
public final class TenantConnection {

    /** Side effects of the protocol (metrics), kept out of it; every method is called on the event loop. */
    public interface Observer {
        /** A reply from upstream for a request of {@code op}, {@code latencyNanos} after the request was sent. */
        default void onReply(OpCode op, int err, long latencyNanos) {
        }

        /** A watch event delivered to the client. */
        default void onNotification() {
        }

        /** The reply to a request the proxy sent on the session itself ({@link #sendOnSession}). */
        default void onProxyReply(OpCode op, int err) {
        }

        Observer NONE = new Observer() {
        };
    }

    private final RequestRewriter requests;
    private final ReplyRewriter replies;
    private final PendingRequests pending = new PendingRequests();
    private final byte[] ensembleConfig;
    private final Observer observer;
    private boolean clientHandshakeDone;
    private boolean serverHandshakeDone;
    private long lastZxid;

    /**
     * @param ensembleConfig the data served for {@code /zookeeper/config} (the proxy's advertised addresses in the
     *                       format of {@code QuorumVerifier.toString()}), so Curator's ensemble tracker keeps the
     *                       client on the proxy
     */
    public TenantConnection(TenantChroot chroot, byte[] ensembleConfig, Observer observer) {
        this(chroot, AclPolicy.NONE, ensembleConfig, observer);
    }

    /**
     * @param aclPolicy      what to do to the ACL lists the tenant sends
     * @param ensembleConfig see {@link #TenantConnection(TenantChroot, byte[], Observer)}
     */
    public TenantConnection(TenantChroot chroot, AclPolicy aclPolicy, byte[] ensembleConfig, Observer observer) {
        this.requests = new RequestRewriter(chroot, aclPolicy);
        this.replies = new ReplyRewriter(chroot);
        this.ensembleConfig = ensembleConfig.clone();
        this.observer = observer;
    }

    /**
     * Handles one client frame.
     *
     * @param frame    a whole frame from {@link FrameDecoder}, length included; not released here
     * @param toClient receives replies the proxy sends on its own, in order
     * @throws ProtocolException if the frame breaks the protocol; the connection must be closed
     */
    public ClientFrame onClientFrame(ByteBuf frame, ByteBufAllocator alloc, Consumer<ByteBuf> toClient) {
        if (!clientHandshakeDone) {
            ConnectRequest request = ConnectRequest.decode(frame);
            clientHandshakeDone = true;
            pending.expectHandshake();
            return new ClientFrame.Connect(request, frame.retain());
        }
        RequestRewriter.Result result = requests.rewrite(frame, alloc);
        if (result.toUpstream() != null) {
            OpCode op = result.op();
            if (op.awaitsReplyInOrder()) {
                pending.expectUpstream(result.xid(), op, System.nanoTime(), false);
            }
            return new ClientFrame.Forward(result.xid(), op, result.toUpstream());
        }
        ByteBuf reply;
        if (result.ensembleConfig()) {
            reply = Replies.getData(alloc, result.xid(), lastZxid, ensembleConfig);
        } else if (result.failedMulti() != null) {
            reply = Replies.failedMulti(alloc, result.xid(), lastZxid, result.failedMulti().failedIndex(),
                    result.err(), result.failedMulti().count());
        } else {
            reply = Replies.header(alloc, result.xid(), lastZxid, result.err());
        }
        pending.answerLocally(result.xid(), reply, toClient);
        return new ClientFrame.Answered(result.xid(), result.opCode(), result.err(), result.reason());
    }

    /**
     * Handles one server frame and passes what the client must see to {@code toClient}.
     *
     * @param frame a whole frame from {@link FrameDecoder}, length included; not released here
     * @return the session's {@link ConnectResponse} when {@code frame} is the handshake, else null
     * @throws ProtocolException if the frame breaks the protocol or would leak a path outside the chroot
     */
    public ConnectResponse onServerFrame(ByteBuf frame, ByteBufAllocator alloc, Consumer<ByteBuf> toClient) {
        if (!serverHandshakeDone) {
            ConnectResponse response = ConnectResponse.decode(frame);
            serverHandshakeDone = true;
            pending.completeHandshake();
            toClient.accept(frame.retain());
            pending.drainLocal(toClient, lastZxid);
            return response;
        }
        if (frame.readableBytes() < Integer.BYTES + Jute.REPLY_HEADER_BYTES) {
            throw new ProtocolException(ProtocolException.Kind.TRUNCATED, "ReplyHeader: " + frame.readableBytes()
                    + " bytes (expected: >= " + (Integer.BYTES + Jute.REPLY_HEADER_BYTES) + ")");
        }
        int start = frame.readerIndex() + Integer.BYTES;
        int xid = frame.getInt(start);
        long zxid = frame.getLong(start + Integer.BYTES);
        int err = frame.getInt(start + Integer.BYTES + Long.BYTES);
        if (xid == Xids.NOTIFICATION) {
            toClient.accept(replies.rewriteNotification(frame, alloc));
            observer.onNotification();
            return null;
        }
        if (xid == Xids.PING || xid == Xids.AUTH) {
            toClient.accept(frame.retain());
            return null;
        }
        PendingRequests.Entry entry = pending.completeUpstream(xid);
        if (zxid > lastZxid) {
            lastZxid = zxid;
        }
        if (entry.proxyOwned) {
            observer.onProxyReply(entry.op, err);
            pending.drainLocal(toClient, lastZxid);
            return null;
        }
        ByteBuf out = replies.rewriteReply(frame, entry.op, err, alloc);
        observer.onReply(entry.op, err, System.nanoTime() - entry.sentNanos);
        toClient.accept(out);
        pending.drainLocal(toClient, lastZxid);
        return null;
    }

    /**
     * Queues a request of the proxy's own on this session, to be written upstream by the caller after every request
     * already forwarded. Its reply is not shown to the client; it goes to {@link Observer#onProxyReply}. Its xid is
     * {@link Xids#PROXY}, which clients may not use.
     *
     * @param op           the request's opcode (it decides how the reply is read)
     * @param serverFrame  the whole request frame, server paths already (no chroot is applied); returned as is
     * @return {@code serverFrame}, for the caller to write upstream
     * @throws IllegalStateException before the session is established
     */
    public ByteBuf sendOnSession(OpCode op, ByteBuf serverFrame) {
        if (!serverHandshakeDone) {
            serverFrame.release();
            throw new IllegalStateException("no session yet");
        }
        pending.expectUpstream(Xids.PROXY, op, System.nanoTime(), true);
        return serverFrame;
    }

    /** @return requests sent or answered but whose reply the client has not been given yet */
    public int inFlight() {
        return pending.size();
    }

    /** @return whether the server's ConnectResponse has been seen */
    public boolean established() {
        return serverHandshakeDone;
    }

    /** Releases queued local replies; call once when the connection closes. */
    public void release() {
        pending.releaseAll();
    }
}
