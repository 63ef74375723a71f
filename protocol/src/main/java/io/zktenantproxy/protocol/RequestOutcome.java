package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;

/**
 * What became of one frame a client sent: the one outcome type of {@link TenantConnection#onClientFrame} (and of the
 * request rewriters behind it). Protocol errors are not among them: those throw {@link ProtocolException} and end the
 * connection.
 *
 * <p>{@link Connect} and {@link Forward} hand the caller a buffer it now owns and must write upstream or release. For
 * the others the proxy answers the client itself: {@link TenantConnection} has already sent that reply to its client
 * sink or queued it behind earlier replies (xid order), so the caller uses the outcome only for metrics and logs.
 */
public sealed interface RequestOutcome {

    /**
     * The handshake, {@code ConnectRequest}: forward {@code toUpstream} (the client's own frame, untouched) to open or
     * resume the session. Only {@link TenantConnection} produces it.
     *
     * @param toUpstream a buffer the caller now owns and must write or release
     */
    record Connect(ConnectRequest request, ByteBuf toUpstream) implements RequestOutcome {
    }

    /**
     * A request ({@code RequestHeader} and the record of {@code op}) rewritten into the tenant's chroot, to be written
     * upstream.
     *
     * @param toUpstream a buffer the caller now owns and must write or release
     */
    record Forward(int xid, OpCode op, ByteBuf toUpstream) implements RequestOutcome {
    }

    /**
     * A request refused with a header-only reply, {@code ReplyHeader{xid, zxid, err}}: an unknown or refused opcode, or
     * a path {@code ChrootPolicy} refuses.
     *
     * @param opCode the raw opcode from the {@code RequestHeader}, as sent (it may be one ZooKeeper does not define)
     * @param err    the {@link KeeperCode} answered
     * @param reason why, for logs; a fixed string, never client bytes
     */
    record Refuse(int xid, int opCode, int err, String reason) implements RequestOutcome {
        /** @return the opcode, or null for a code ZooKeeper 3.9 does not define (for metrics) */
        public OpCode op() {
            return OpCode.of(opCode);
        }
    }

    /**
     * A {@code multi} refused in ZooKeeper's own shape: {@code ReplyHeader} err 0 and a {@code MultiResponse} of one
     * {@code ErrorResult} per op ({@code OK} before the failed op, {@code err} for it, {@code RUNTIMEINCONSISTENCY}
     * after it), as {@code PrepRequestProcessor} fails a multi atomically.
     *
     * @param err         the {@link KeeperCode} of the failed op
     * @param reason      why, for logs; a fixed string, never client bytes
     * @param failedIndex the first op refused, 0-based, below {@code count}
     * @param count       the number of ops in the request
     */
    record RefuseMulti(int xid, int err, String reason, int failedIndex, int count) implements RequestOutcome {
    }

    /**
     * A read the proxy answers itself with {@code OK}: today only the getData of {@code /zookeeper/config}
     * ({@code GetDataResponse} holding the tenant's ensemble config, see {@code ChrootPolicy}).
     */
    record AnswerLocally(int xid, OpCode op) implements RequestOutcome {
    }

    /**
     * A write that must wait for a fresh count of the tenant's usage before the proxy may decide on it (it would
     * cross the quota by the count in hand, which may be stale). Nothing was sent or queued: the caller keeps the
     * frame, hands no later frame to the connection meanwhile, and hands this one to
     * {@link TenantConnection#onHeldFrame} once {@code until} completes (whether normally or not).
     */
    record Hold(int xid, OpCode op, java.util.concurrent.CompletionStage<?> until) implements RequestOutcome {
    }
}
