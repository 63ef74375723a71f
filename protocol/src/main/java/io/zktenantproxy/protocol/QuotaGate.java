package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The quotas of one connection ({@link SessionQuotas}) applied to what it forwards: every request bound upstream
 * that awaits a reply passes {@link #admit}, which books it in the {@link PendingRequests} with what its reply must
 * settle (a {@link QuotaCharge} against the tenant's {@link ZnodeQuota}, a change of the session's
 * {@link WatchLedger}), or refuses it with {@code QUOTAEXCEEDED}, or holds it for a fresh count of the tenant's usage.
 * Replies, watch events and the connection's end settle what was booked. Part of {@link TenantConnection}; owned by
 * the connection's event loop.
 */
final class QuotaGate {
    private final SessionQuotas quotas;
    private final WatchLedger watches;
    private final PendingRequests pending;
    private final TenantConnection.Observer observer;

    QuotaGate(SessionQuotas quotas, PendingRequests pending, TenantConnection.Observer observer) {
        this.quotas = quotas;
        this.watches = quotas.watchesPerSession() > 0 ? new WatchLedger(quotas.watchesPerSession()) : null;
        this.pending = pending;
        this.observer = observer;
    }

    /**
     * Books a request that awaits its reply, or refuses or holds it.
     *
     * @param forward     the request as rewritten for the ensemble
     * @param clientFrame the request as the client sent it (for its trailing watch flag)
     * @param decideNow   true for a request that already waited for a fresh count: the quota decides at once
     * @return {@code forward} (booked), a refusal (its buffer released), or a {@link RequestOutcome.Hold} (released)
     */
    RequestOutcome admit(RequestOutcome.Forward forward, ByteBuf clientFrame, boolean decideNow) {
        OpCode op = forward.op();
        if (quotas.znodes() != ZnodeQuota.UNLIMITED && QuotaCharge.charges(op)) {
            QuotaCharge charge = QuotaCharge.of(op, forward.toUpstream(), quotas.bytesPerZnode());
            if (charge.oversizedIndex() >= 0) { // a path and ACL list over the per-znode allowance
                return exceeded(forward, QuotaKind.BYTES, charge.oversizedIndex(), charge.ops());
            }
            if (charge.adds()) {
                return reserve(forward, charge, decideNow);
            }
            // deletes, checks, an ACL list that fits: never refused, nothing to settle
        } else if (watches != null) {
            return admitWatches(forward, clientFrame);
        }
        pending.expectUpstream(forward.xid(), op, System.nanoTime(), false);
        return forward;
    }

    /** A write that adds to the tenant's usage: the quota admits it, refuses it, or holds it for a fresh count. */
    private RequestOutcome reserve(RequestOutcome.Forward forward, QuotaCharge charge, boolean decideNow) {
        ZnodeQuota.Decision decision = quotas.znodes().reserve(charge, !decideNow);
        if (decision instanceof ZnodeQuota.Wait wait) {
            forward.toUpstream().release();
            return new RequestOutcome.Hold(forward.xid(), forward.op(), wait.until());
        }
        if (decision instanceof ZnodeQuota.Refuse refuse) {
            return exceeded(forward, refuse.kind(), refuse.failedIndex(), charge.ops());
        }
        pending.expectUpstream(forward.xid(), forward.op(), System.nanoTime(), charge, null);
        return forward;
    }

    /** A request that may register or remove watches: the session's ledger holds its place or refuses it. */
    private RequestOutcome admitWatches(RequestOutcome.Forward forward, ByteBuf clientFrame) {
        OpCode op = forward.op();
        WatchLedger.Change watch = null;
        if (op == OpCode.SET_WATCHES || op == OpCode.SET_WATCHES2) {
            int before = watches.size();
            if (!watches.restore(op, forward.toUpstream())) {
                return exceeded(forward, QuotaKind.WATCHES, 0, 1);
            }
            watchCountChanged(before);
        } else {
            watch = watches.registration(op, forward.toUpstream(), clientFrame);
            if (watch == WatchLedger.OVER) {
                return exceeded(forward, QuotaKind.WATCHES, 0, 1);
            }
        }
        if (watch == null) {
            pending.expectUpstream(forward.xid(), op, System.nanoTime(), false);
        } else {
            pending.expectUpstream(forward.xid(), op, System.nanoTime(), null, watch);
        }
        return forward;
    }

    private RequestOutcome exceeded(RequestOutcome.Forward forward, QuotaKind kind, int failedIndex, int ops) {
        forward.toUpstream().release();
        observer.onQuotaExceeded(kind);
        String reason = kind.tag() + " quota exceeded";
        return forward.op() == OpCode.MULTI
                ? new RequestOutcome.RefuseMulti(forward.xid(), KeeperCode.QUOTA_EXCEEDED, reason, failedIndex, ops)
                : new RequestOutcome.Refuse(forward.xid(), forward.op().code(), KeeperCode.QUOTA_EXCEEDED, reason);
    }

    /**
     * The reply to a booked request: its charge is settled, its watch change made.
     *
     * @param body where the reply's record starts in {@code frame} (after the {@code ReplyHeader})
     */
    void replied(PendingRequests.Entry entry, int err, ByteBuf frame, int body) {
        if (entry.charge != null) {
            quotas.znodes().settle(entry.charge, applied(entry.op, err, frame, body));
        }
        if (entry.watch != null) {
            int before = watches.size();
            watches.replied(entry.watch, err);
            watchCountChanged(before);
        }
    }

    /**
     * @return whether a write changed the tree: its reply has err 0 and, for a multi (whose header err is 0 either
     *     way), the first result is not an {@code ErrorResult}
     */
    private static boolean applied(OpCode op, int err, ByteBuf frame, int body) {
        if (err != KeeperCode.OK) {
            return false;
        }
        return op != OpCode.MULTI || frame.writerIndex() < body + Integer.BYTES || frame.getInt(body) != -1;
    }

    /**
     * A watch event reaches the client, {@code WatcherEvent{int type; int state; ustring path}} at {@code body}: a
     * one-shot watch it fires stops counting. A malformed event is left to the rewrite, which refuses it.
     */
    void eventSeen(ByteBuf frame, int body) {
        if (watches == null || frame.writerIndex() < body + 3 * Integer.BYTES) {
            return;
        }
        int type = frame.getInt(body);
        int length = frame.getInt(body + 2 * Integer.BYTES);
        if (length < 0 || body + 3 * Integer.BYTES + length > frame.writerIndex()) {
            return;
        }
        int before = watches.size();
        watches.fired(type, frame.toString(body + 3 * Integer.BYTES, length, StandardCharsets.UTF_8));
        watchCountChanged(before);
    }

    /** A booked request whose reply never comes (the connection closed): a write counts as applied until counted. */
    void abandoned(PendingRequests.Entry entry) {
        if (entry.charge != null) {
            quotas.znodes().settle(entry.charge, null);
        }
        if (entry.watch != null) {
            watches.abandoned(entry.watch);
        }
    }

    /** The connection is gone, and with it every watch of the session on its server. */
    void closed() {
        if (watches != null && watches.size() > 0) {
            observer.onWatchCount(-watches.size());
        }
    }

    /** @return watch entries the session holds, as far as the proxy has seen (0 without a watch limit) */
    int watchCount() {
        return watches == null ? 0 : watches.size();
    }

    private void watchCountChanged(int before) {
        int delta = watches.size() - before;
        if (delta != 0) {
            observer.onWatchCount(delta);
        }
    }
}
