package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The protocol state of one proxied connection, both directions: handshake phases, the queue of pending requests
 * ({@code ClientCnxn.pendingQueue}, seen from the middle), and the chroot rewriting of every frame. The single owner
 * of that state; it must only be used from the connection's event loop (client and upstream channels share it), so it
 * takes no locks.
 *
 * <pre>
 * client frames  --onClientFrame-->  RequestOutcome: Connect | Forward (the caller writes upstream)
 *                                     | Refuse | RefuseMulti | AnswerLocally (reply sent to toClient, or queued)
 *                                     | Hold (a write waits for a fresh count of the tenant's usage: onHeldFrame)
 * server frames  --onServerFrame-->  toClient: ConnectResponse, replies and watch events, stripped
 * </pre>
 *
 * Requests that await a reply pass the connection's quotas ({@link QuotaGate}: the tenant's znode and byte quota, the
 * session's watches); the proxy's own keep-alive pings ({@link #keepAlive}) and tenant identity auth packets
 * ({@link UpstreamAuth}) are answered to it alone; ACL lists and identity replies go through {@link SessionAcls}.
 *
 * Everything meant for the client goes to the one sink given at construction, {@code toClient}, in xid order: replies
 * the proxy produces itself (refusals, the ensemble config) wait behind every earlier reply and never precede the
 * server's ConnectResponse. Buffers handed to {@code toClient} and returned in a {@link RequestOutcome} are owned by
 * the receiver; input frames are never released here.
 */
public final class TenantConnection {

    /** Side effects of the protocol (metrics, logs), kept out of it; every method is called on the event loop. */
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

        /** A request was refused with {@code QUOTAEXCEEDED} for want of {@code kind}. */
        default void onQuotaExceeded(QuotaKind kind) {
        }

        /** The session's watch count changed by {@code delta} entries. */
        default void onWatchCount(int delta) {
        }

        Observer NONE = new Observer() {
        };
    }

    private final SessionAcls acls;
    private final UpstreamAuth upstreamAuth;
    private final RequestRewriter requests;
    private final ReplyRewriter replies;
    private final PendingRequests pending;
    private final byte[] ensembleConfig;
    private final Consumer<ByteBuf> toClient;
    private final Observer observer;
    private final QuotaGate quotas;
    private boolean heldFrame;
    /** Pings sent upstream and not yet answered, oldest first: true for the proxy's own ({@link #keepAlive}). */
    private final ArrayDeque<Boolean> pings = new ArrayDeque<>();
    private int sessionTimeoutMs;
    private boolean clientHandshakeDone;
    private boolean serverHandshakeDone;
    private long lastZxid;

    /**
     * A connection whose ACL lists pass as the tenant sends them ({@link AclPolicy#NONE}).
     *
     * @see #TenantConnection(TenantChroot, AclPolicy, byte[], Consumer, Observer)
     */
    public TenantConnection(TenantChroot chroot, byte[] ensembleConfig, Consumer<ByteBuf> toClient,
                            Observer observer) {
        this(chroot, AclPolicy.NONE, ensembleConfig, toClient, observer);
    }

    /**
     * @param aclPolicy      what to do to the ACL lists the tenant sends
     * @param ensembleConfig the data served for {@code /zookeeper/config} (the proxy's advertised addresses in the
     *                       format of {@code QuorumVerifier.toString()}), so Curator's ensemble tracker keeps the
     *                       client on the proxy
     * @param toClient       the one sink for every frame meant for the client, in order: the ConnectResponse, the
     *                       server's replies and watch events after stripping, and the proxy's own replies; it owns
     *                       each buffer it is given
     * @param observer       metrics and log side effects
     */
    public TenantConnection(TenantChroot chroot, AclPolicy aclPolicy, byte[] ensembleConfig,
                            Consumer<ByteBuf> toClient, Observer observer) {
        this(chroot, aclPolicy, SessionQuotas.NONE, EnsembleFeatures.unknown(), ensembleConfig, toClient, observer);
    }

    /**
     * @param quotas   what the connection's writes and watches are checked against
     * @param ensemble which opcodes the ensemble implements; the others are answered with -6 here
     */
    public TenantConnection(TenantChroot chroot, AclPolicy aclPolicy, SessionQuotas quotas, EnsembleFeatures ensemble,
                            byte[] ensembleConfig, Consumer<ByteBuf> toClient, Observer observer) {
        this.acls = new SessionAcls(aclPolicy);
        this.upstreamAuth = new UpstreamAuth(aclPolicy.identity());
        this.requests = new RequestRewriter(chroot, acls, ensemble);
        this.replies = new ReplyRewriter(chroot, acls);
        this.pending = new PendingRequests(toClient);
        this.quotas = new QuotaGate(quotas, pending, observer);
        this.ensembleConfig = ensembleConfig.clone();
        this.toClient = toClient;
        this.observer = observer;
    }

    /**
     * Handles one client frame: the {@code ConnectRequest} first, then {@code RequestHeader} plus a request record.
     *
     * @param frame a whole frame from {@link FrameDecoder}, length included; not released here
     * @return {@link RequestOutcome.Connect} or {@link RequestOutcome.Forward}: the caller owns {@code toUpstream};
     *         {@link RequestOutcome.Refuse}, {@link RequestOutcome.RefuseMulti} or
     *         {@link RequestOutcome.AnswerLocally}: the reply is already sent to {@code toClient} or queued behind
     *         earlier replies, and the outcome is only for metrics and logs; {@link RequestOutcome.Hold}: nothing
     *         happened yet, see there
     * @throws ProtocolException if the frame breaks the protocol; the connection must be closed
     */
    public RequestOutcome onClientFrame(ByteBuf frame, ByteBufAllocator alloc) {
        if (!clientHandshakeDone) {
            ConnectRequest request = ConnectRequest.decode(frame);
            clientHandshakeDone = true;
            pending.expectHandshake();
            return new RequestOutcome.Connect(request, upstreamAuth.withUpstreamAuth(frame.retain(), alloc));
        }
        RequestOutcome outcome = requests.rewrite(frame, alloc);
        if (outcome instanceof RequestOutcome.Forward forward) {
            outcome = admit(forward, frame);
        }
        if (outcome instanceof RequestOutcome.Forward) {
            return outcome;
        } else if (outcome instanceof RequestOutcome.Refuse refuse) {
            pending.answerLocally(refuse.xid(), Replies.header(alloc, refuse.xid(), lastZxid, refuse.err()));
        } else if (outcome instanceof RequestOutcome.RefuseMulti multi) {
            pending.answerLocally(multi.xid(), Replies.failedMulti(alloc, multi.xid(), lastZxid, multi.failedIndex(),
                    multi.err(), multi.count()));
        } else if (outcome instanceof RequestOutcome.AnswerLocally local) {
            // the one local read: the ensemble config znode
            pending.answerLocally(local.xid(), Replies.getData(alloc, local.xid(), lastZxid, ensembleConfig));
        }
        return outcome;
    }

    /**
     * Handles a frame again that {@link #onClientFrame} answered with {@link RequestOutcome.Hold}, now that the usage
     * was counted afresh: this time the quota decides at once.
     */
    public RequestOutcome onHeldFrame(ByteBuf frame, ByteBufAllocator alloc) {
        heldFrame = true;
        try {
            return onClientFrame(frame, alloc);
        } finally {
            heldFrame = false;
        }
    }

    /** Books a request bound upstream (its quotas, or the proxy's own keep-alive count of pings). */
    private RequestOutcome admit(RequestOutcome.Forward forward, ByteBuf clientFrame) {
        if (forward.op().awaitsReplyInOrder()) {
            return quotas.admit(forward, clientFrame, heldFrame);
        }
        if (forward.op() == OpCode.PING) {
            pings.addLast(Boolean.FALSE);
        }
        return forward;
    }

    /**
     * Handles one server frame, the {@code ConnectResponse} first, then {@code ReplyHeader} plus a reply record (or a
     * {@code WatcherEvent} under xid -1), and passes what the client must see to {@code toClient}.
     *
     * @param frame a whole frame from {@link FrameDecoder}, length included; not released here
     * @return the session's {@link ConnectResponse} when {@code frame} is the handshake, else null
     * @throws ProtocolException if the frame breaks the protocol or would leak a path outside the chroot
     */
    public ConnectResponse onServerFrame(ByteBuf frame, ByteBufAllocator alloc) {
        if (!serverHandshakeDone) {
            ConnectResponse response = ConnectResponse.decode(frame);
            serverHandshakeDone = true;
            sessionTimeoutMs = response.timeOutMs();
            pending.completeHandshake();
            toClient.accept(frame.retain());
            pending.drainLocal(lastZxid);
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
            quotas.eventSeen(frame, start + Jute.REPLY_HEADER_BYTES);
            toClient.accept(replies.rewriteNotification(frame, alloc));
            observer.onNotification();
            return null;
        }
        if (xid == Xids.PING && Boolean.TRUE.equals(pings.pollFirst())) {
            return null; // the reply to the proxy's own keep-alive
        }
        if (xid == Xids.AUTH && upstreamAuth.ownAuthReply(err)) {
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
            pending.drainLocal(lastZxid);
            return null;
        }
        quotas.replied(entry, err, frame, start + Jute.REPLY_HEADER_BYTES);
        ByteBuf out = replies.rewriteReply(frame, entry.op, err, alloc);
        observer.onReply(entry.op, err, System.nanoTime() - entry.sentNanos);
        toClient.accept(out);
        pending.drainLocal(lastZxid);
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

    /**
     * A ping of the proxy's own on the session, whose reply the client does not see. The server expires a session
     * that sends nothing for its timeout, and a client pings only when it has sent nothing for a third of it: a client
     * whose every request the proxy answers itself (refused over a quota, say) would otherwise lose its session while
     * it is busy. The caller writes the ping when it has sent nothing upstream for {@link #keepAliveMillis()}.
     *
     * @return the ping frame ({@code RequestHeader{xid -2, type 11}}), for the caller to write upstream
     * @throws IllegalStateException before the session is established
     */
    public ByteBuf keepAlive(ByteBufAllocator alloc) {
        if (!serverHandshakeDone) {
            throw new IllegalStateException("no session yet");
        }
        pings.addLast(Boolean.TRUE);
        return Requests.ping(alloc);
    }

    /** @return how long the upstream may go without a frame before {@link #keepAlive} is due; 0 before a session */
    public long keepAliveMillis() {
        return sessionTimeoutMs / 3;
    }

    /** @return requests sent or answered but whose reply the client has not been given yet */
    public int inFlight() {
        return pending.size();
    }

    /** @return whether the server's ConnectResponse has been seen */
    public boolean established() {
        return serverHandshakeDone;
    }

    /** @return watch entries the session holds, as far as the proxy has seen (0 without a watch limit) */
    public int watchCount() {
        return quotas.watchCount();
    }

    /**
     * Releases queued local replies, and gives back what unanswered requests reserved (a write whose reply never
     * came counts as applied until the tenant's usage is next counted); call once when the connection closes.
     */
    public void release() {
        pending.releaseAll(quotas::abandoned);
        quotas.closed();
    }
}
