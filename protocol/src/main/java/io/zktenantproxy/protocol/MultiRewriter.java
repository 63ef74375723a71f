package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * {@code multi} (14) and {@code multiRead} (22), both directions. Decoded whole, since every sub-op carries a path.
 *
 * <pre>
 * MultiOperationRecord: ( MultiHeader{int type; boolean done=false; int err=-1} op-record )* MultiHeader{-1, true, -1}
 * MultiResponse:        ( MultiHeader{int type; boolean done=false; int err}    result    )* MultiHeader{-1, true, -1}
 * </pre>
 *
 * A {@code multi} may hold create, create2, createTTL, createContainer, delete, setData and check; a
 * {@code multiRead} getData and getChildren ({@link OpCode#mayHold}, as
 * {@code org.apache.zookeeper.MultiOperationRecord} allows them). Any other sub-op refuses the whole request with a
 * header error. A path that breaks the rules fails the whole request, as ZooKeeper fails a multi atomically, and for
 * a {@code multi} in ZooKeeper's own shape: header {@code err} 0 and one {@code ErrorResult} per sub-op, 0 before the
 * failed one, its error code, then {@code RUNTIMEINCONSISTENCY} ({@code PrepRequestProcessor} and
 * {@code DataTree.processTxn}; checked against a real server). A {@code multiRead} gets a header error: ZooKeeper
 * reads its sub-ops one by one without validating their paths (an invalid one answers {@code NONODE}), which the
 * proxy cannot reproduce without forwarding the path.
 */
final class MultiRewriter {
    private final TenantChroot chroot;
    private final SessionAcls acls;

    /** @param acls the connection's ACL policy for sub-ops with ACL lists; null for replies only */
    MultiRewriter(TenantChroot chroot, SessionAcls acls) {
        this.chroot = chroot;
        this.acls = acls;
    }

    /** @param in the request, positioned after its {@code RequestHeader} */
    RequestOutcome rewriteRequest(ByteBuf in, int xid, OpCode op, ByteBufAllocator alloc) {
        return RequestRewriter.writeAnew(alloc, in.readableBytes() + 256, xid, op, out -> {
            ChrootPolicy.Verdict refused = null;
            int count = 0;
            int failedIndex = -1;
            while (true) {
                int type = Jute.readInt(in, "MultiHeader.type");
                boolean done = Jute.readBool(in, "MultiHeader.done");
                int err = Jute.readInt(in, "MultiHeader.err");
                if (done) {
                    if (type != -1 || err != -1) {
                        throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, "MultiHeader: end marker {"
                                + type + ", true, " + err + "} (expected: {-1, true, -1})");
                    }
                    Jute.expectEnd(in, op.name());
                    break;
                }
                OpCode sub = OpCode.of(type);
                if (sub == null || !op.mayHold(sub)) {
                    // the record layout of an unknown sub-op is unknown: nothing after it can be read
                    return new RequestOutcome.Refuse(xid, op.code(),
                            sub == null ? KeeperCode.UNIMPLEMENTED : KeeperCode.BAD_ARGUMENTS,
                            sub == null ? "unknown op inside " + op.name() : sub.name() + " not allowed in " + op.name());
                }
                int pathLength = Jute.readLength(in, sub.pathField());
                int pathIndex = in.readerIndex();
                if (pathLength > 0) {
                    in.skipBytes(pathLength);
                    RequestRewriter.requireUtf8(in, pathIndex, pathLength, sub.name());
                }
                int restIndex = in.readerIndex();
                int flags = RequestBodies.scanAfterPath(in, sub.request());
                count++;
                if (refused != null) {
                    continue; // keep walking: a malformed record later still ends the connection
                }
                boolean sequential = RequestBodies.sequential(flags);
                // as for a whole request, a null path is refused before an unknown create mode
                ChrootPolicy.Verdict verdict = flags == RequestBodies.BAD_CREATE_FLAGS && pathLength >= 0
                        ? ChrootPolicy.Verdict.refuse(KeeperCode.BAD_ARGUMENTS, "unknown create mode in " + op.name())
                        : ChrootPolicy.subOp(op, sub, in, pathIndex, pathLength, sequential);
                if (verdict.allowed()) {
                    out.writeInt(type);
                    out.writeBoolean(false);
                    out.writeInt(err);
                    chroot.writePrepended(out, in, pathIndex, pathLength, sequential);
                    int aclErr = acls.copyAfterPath(sub, in, restIndex, in.readerIndex(), out);
                    if (aclErr != KeeperCode.OK) {
                        refused = ChrootPolicy.Verdict.refuse(aclErr, "ACL list refused in " + op.name());
                        failedIndex = count - 1;
                    }
                } else {
                    refused = verdict;
                    failedIndex = count - 1;
                }
            }
            if (refused != null) {
                return op == OpCode.MULTI
                        ? new RequestOutcome.RefuseMulti(xid, refused.err(), refused.reason(), failedIndex, count)
                        : new RequestOutcome.Refuse(xid, op.code(), refused.err(), refused.reason());
            }
            out.writeInt(-1);
            out.writeBoolean(true);
            out.writeInt(-1);
            return null;
        });
    }

    /**
     * Rewrites a successful {@code MultiResponse}: create results get their paths stripped, everything else is
     * copied as is. Results: create {@code CreateResponse{path}}; create2/createTTL/createContainer
     * {@code Create2Response{path, stat}}; setData {@code SetDataResponse{stat}}; delete, check nothing;
     * error {@code ErrorResponse{err}}.
     *
     * @param in the reply, positioned after its {@code ReplyHeader}, which {@code out} already holds
     */
    void rewriteReply(ByteBuf in, ByteBuf out) {
        while (true) {
            int type = Jute.readInt(in, "MultiHeader.type");
            boolean done = Jute.readBool(in, "MultiHeader.done");
            int err = Jute.readInt(in, "MultiHeader.err");
            out.writeInt(type);
            out.writeBoolean(done);
            out.writeInt(err);
            if (done) {
                Jute.expectEnd(in, "MultiResponse");
                return;
            }
            OpCode result = OpCode.of(type);
            if (type == -1) {
                out.writeInt(Jute.readInt(in, "ErrorResponse.err"));
                continue;
            }
            if (result == null) {
                throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, "MultiResponse: result type "
                        + type);
            }
            switch (result) {
                case CREATE -> stripPath(in, out);
                case CREATE2, CREATE_TTL, CREATE_CONTAINER -> {
                    stripPath(in, out);
                    copyStat(in, out);
                }
                case SET_DATA -> copyStat(in, out);
                case DELETE, CHECK -> {
                }
                default -> throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD,
                        "MultiResponse: result type " + type + " in a multi");
            }
        }
    }

    private void stripPath(ByteBuf in, ByteBuf out) {
        int length = Jute.readLength(in, "CreateResponse.path");
        if (length < 0) {
            throw new IsolationViolationException("null path in a create result");
        }
        chroot.writeStripped(out, in, in.readerIndex(), length);
        in.skipBytes(length);
    }

    private static void copyStat(ByteBuf in, ByteBuf out) {
        Jute.need(in, Jute.STAT_BYTES, "Stat");
        out.writeBytes(in, Jute.STAT_BYTES);
    }
}
