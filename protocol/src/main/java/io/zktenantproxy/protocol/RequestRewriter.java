package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.function.Function;

/**
 * Rewrites one client request frame (after the handshake) into the tenant's chroot, or decides to answer it locally.
 *
 * <pre>
 * client: | len | xid | type | pathLen | clientPath          | rest of the record (data, acl, flags, ...) |
 * server: | len'| xid | type | pathLen'| chroot + clientPath | the same rest, as a retained slice         |
 * </pre>
 *
 * Path-first records are spliced: only the header and path are written anew; the rest of the frame (a setData or
 * create payload of any size) is kept as a slice of the client's buffer, so payloads are never copied. Every record
 * is still walked to its end first, so a truncated record or bytes left over are caught before anything is sent.
 * {@code multi}, {@code multiRead}, {@code setWatches} and {@code setWatches2} are decoded whole
 * ({@link MultiRewriter}, {@link WatchListRewriter}). Whether a path may go upstream is {@link ChrootPolicy}'s
 * verdict; what an opcode's record holds is {@link OpCode}'s.
 *
 * <p>Stateless apart from the chroot and the connection's {@link SessionAcls}, which learns of the tenant's own
 * {@code auth} packets here.
 */
final class RequestRewriter {
    /** Tails up to this size are copied next to the path: cheaper than a composite buffer for a bool or an int. */
    private static final int COPY_TAIL_BYTES = 64;
    /** A create's data up to this size is copied beside its rewritten ACL list, in one buffer. */
    private static final int COPY_DATA_BYTES = 1024;

    private final TenantChroot chroot;
    private final EnsembleFeatures ensemble;
    private final SessionAcls acls;
    private final MultiRewriter multi;
    private final WatchListRewriter watchLists;

    RequestRewriter(TenantChroot chroot, AclPolicy aclPolicy) {
        this(chroot, new SessionAcls(aclPolicy), EnsembleFeatures.unknown());
    }

    RequestRewriter(TenantChroot chroot, SessionAcls acls, EnsembleFeatures ensemble) {
        this.chroot = chroot;
        this.acls = acls;
        this.ensemble = ensemble;
        this.multi = new MultiRewriter(chroot, acls);
        this.watchLists = new WatchListRewriter(chroot);
    }

    /**
     * @param frame a whole request frame, 4-byte length included; not consumed, not released
     * @return {@link RequestOutcome.Forward}, {@link RequestOutcome.Refuse}, {@link RequestOutcome.RefuseMulti} or
     *         {@link RequestOutcome.AnswerLocally}; nothing is sent to the client here
     * @throws ProtocolException if the frame is malformed or misuses a special xid
     */
    RequestOutcome rewrite(ByteBuf frame, ByteBufAllocator alloc) {
        ByteBuf in = frame.duplicate();
        in.skipBytes(Integer.BYTES);
        int xid = Jute.readInt(in, "RequestHeader.xid");
        int type = Jute.readInt(in, "RequestHeader.type");
        OpCode op = OpCode.of(type);
        checkXid(xid, op, type);
        if (op == null) {
            return new RequestOutcome.Refuse(xid, type, KeeperCode.UNIMPLEMENTED, "unknown opcode");
        }
        if (!op.forwardable()) {
            return new RequestOutcome.Refuse(xid, type, op.refusal(), "refused opcode");
        }
        if (!ensemble.forwards(op)) {
            return new RequestOutcome.Refuse(xid, type, KeeperCode.UNIMPLEMENTED, "the ensemble (ZooKeeper "
                    + ensemble.version() + ") does not implement " + op);
        }
        if (op.splicesPath()) {
            return splicePath(frame, in, xid, op, alloc);
        }
        switch (op.request()) {
            case EMPTY -> {
                Jute.expectEnd(in, op.name());
                return new RequestOutcome.Forward(xid, op, frame.retain());
            }
            case AUTH -> {
                Jute.readInt(in, "AuthPacket.type");
                String scheme = Jute.readString(in, "AuthPacket.scheme");
                byte[] auth = acls.active() ? Jute.readBuffer(in, "AuthPacket.auth") : null;
                if (!acls.active()) {
                    Jute.skipBuffer(in, "AuthPacket.auth");
                }
                Jute.expectEnd(in, "AuthPacket");
                acls.authSent(scheme, auth);
                return new RequestOutcome.Forward(xid, op, frame.retain());
            }
            case BUFFER -> {
                Jute.skipBuffer(in, op.name() + ".token");
                Jute.expectEnd(in, op.name());
                if (op == OpCode.SASL) {
                    acls.saslSent();
                }
                return new RequestOutcome.Forward(xid, op, frame.retain());
            }
            case MULTI, MULTI_READ -> {
                return multi.rewriteRequest(in, xid, op, alloc);
            }
            case SET_WATCHES, SET_WATCHES2 -> {
                return watchLists.rewrite(in, xid, op, alloc);
            }
            default -> throw new IllegalStateException("unhandled request shape " + op.request());
        }
    }

    /**
     * Writes a request anew into a buffer of its own, for records decoded whole ({@code multi}, {@code setWatches}):
     * {@code RequestHeader{xid, op}} first, then {@code body}, which returns null to forward the frame or the outcome
     * that refuses it. A forwarded frame gets its length prefix and is handed over in a {@link RequestOutcome.Forward};
     * otherwise (a refusal, or a {@link ProtocolException} thrown by {@code body}) the buffer is released here.
     *
     * @param capacity the buffer's initial capacity, bytes
     */
    static RequestOutcome writeAnew(ByteBufAllocator alloc, int capacity, int xid, OpCode op,
                                    Function<ByteBuf, RequestOutcome> body) {
        ByteBuf out = alloc.buffer(capacity);
        try {
            out.writeInt(0);
            out.writeInt(xid);
            out.writeInt(op.code());
            RequestOutcome refusal = body.apply(out);
            if (refusal != null) {
                return refusal;
            }
            out.setInt(0, out.readableBytes() - Integer.BYTES);
            RequestOutcome forward = new RequestOutcome.Forward(xid, op, out);
            out = null;
            return forward;
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }

    /** Special xids mean something to the client library; a request may not borrow one. */
    private static void checkXid(int xid, OpCode op, int type) {
        if (xid == Xids.NOTIFICATION || xid == Xids.PROXY) {
            throw new ProtocolException(ProtocolException.Kind.XID, "request xid " + xid + " is reserved");
        }
        if ((xid == Xids.PING) != (op == OpCode.PING)) {
            throw new ProtocolException(ProtocolException.Kind.XID, "xid " + xid + " with opcode " + type
                    + " (expected: xid -2 exactly for ping)");
        }
        if ((xid == Xids.AUTH) != (op == OpCode.AUTH)) {
            throw new ProtocolException(ProtocolException.Kind.XID, "xid " + xid + " with opcode " + type
                    + " (expected: xid -4 exactly for auth)");
        }
    }

    private RequestOutcome splicePath(ByteBuf frame, ByteBuf in, int xid, OpCode op, ByteBufAllocator alloc) {
        String record = op.name();
        int pathLength = Jute.readLength(in, op.pathField());
        int pathIndex = in.readerIndex();
        if (pathLength >= 0) {
            in.skipBytes(pathLength);
            requireUtf8(in, pathIndex, pathLength, record);
        }
        int restIndex = in.readerIndex();
        int flags = RequestBodies.scanAfterPath(in, op.request());
        Jute.expectEnd(in, record);
        if (flags == RequestBodies.BAD_CREATE_FLAGS && pathLength >= 0) { // a null path is refused first, below
            return new RequestOutcome.Refuse(xid, op.code(), KeeperCode.BAD_ARGUMENTS, "unknown create mode");
        }
        boolean sequential = RequestBodies.sequential(flags);
        ChrootPolicy.Verdict verdict = ChrootPolicy.request(op, frame, pathIndex, pathLength, sequential);
        if (verdict == ChrootPolicy.Verdict.ENSEMBLE_CONFIG) {
            return new RequestOutcome.AnswerLocally(xid, op);
        }
        if (!verdict.allowed()) {
            return new RequestOutcome.Refuse(xid, op.code(), verdict.err(), verdict.reason());
        }

        int restLength = frame.writerIndex() - restIndex;
        int headLength = Jute.REQUEST_HEADER_BYTES + chroot.prependedBytes(pathLength, sequential);
        if (acls.active() && op.carriesAcl()) {
            return withAclPolicy(frame, xid, op, pathIndex, pathLength, sequential, restIndex, headLength, alloc);
        }
        boolean copyTail = restLength <= COPY_TAIL_BYTES;
        ByteBuf head = alloc.buffer(Integer.BYTES + headLength + (copyTail ? restLength : 0));
        head.writeInt(headLength + restLength);
        head.writeInt(xid);
        head.writeInt(op.code());
        chroot.writePrepended(head, frame, pathIndex, pathLength, sequential);
        if (copyTail) {
            head.writeBytes(frame, restIndex, restLength);
            return new RequestOutcome.Forward(xid, op, head);
        }
        CompositeByteBuf out = alloc.compositeBuffer(2);
        out.addComponents(true, head, frame.retainedSlice(restIndex, restLength));
        return new RequestOutcome.Forward(xid, op, out);
    }

    /**
     * The splice when the ACL list changes: the ACL list and the fields after it (flags, ttl; setACL's version) are
     * written anew; a create's data field is copied beside them when it is small, else it stays a slice of the
     * client's frame. A list the policy refuses refuses the request.
     */
    private RequestOutcome withAclPolicy(ByteBuf frame, int xid, OpCode op, int pathIndex, int pathLength,
                                  boolean sequential, int restIndex, int headLength, ByteBufAllocator alloc) {
        int dataEnd = restIndex;
        if (op.request() != OpCode.RequestShape.SET_ACL) {
            dataEnd += Integer.BYTES + Math.max(0, frame.getInt(restIndex));
        }
        int dataLength = dataEnd - restIndex;
        int aclAndAfter = frame.writerIndex() - dataEnd;
        boolean copyData = dataLength <= COPY_DATA_BYTES; // one buffer: cheaper than a composite for a small create
        ByteBuf head = alloc.buffer(Integer.BYTES + headLength + (copyData ? dataLength + aclAndAfter + 256 : 0));
        head.writeInt(0);
        head.writeInt(xid);
        head.writeInt(op.code());
        chroot.writePrepended(head, frame, pathIndex, pathLength, sequential);
        ByteBuf tail = head;
        if (copyData) {
            head.writeBytes(frame, restIndex, dataLength);
        } else {
            tail = alloc.buffer(aclAndAfter + 256);
        }
        int err;
        try {
            err = acls.copyFromAcl(frame, dataEnd, frame.writerIndex(), tail);
        } catch (RuntimeException e) {
            releaseBoth(head, tail);
            throw e;
        }
        if (err != KeeperCode.OK) {
            releaseBoth(head, tail);
            return new RequestOutcome.Refuse(xid, op.code(), err, "ACL list refused by the tenant's ACL policy");
        }
        if (copyData) {
            return new RequestOutcome.Forward(xid, op, head.setInt(0, head.readableBytes() - Integer.BYTES));
        }
        head.setInt(0, head.readableBytes() + dataLength + tail.readableBytes() - Integer.BYTES);
        return new RequestOutcome.Forward(xid, op, alloc.compositeBuffer(3).addComponents(true, head,
                frame.retainedSlice(restIndex, dataLength), tail));
    }

    private static void releaseBoth(ByteBuf head, ByteBuf tail) {
        head.release();
        if (tail != head) {
            tail.release();
        }
    }

    /** A path that is not UTF-8 is not a mistake but a forgery (every client library encodes UTF-8): close. */
    static void requireUtf8(ByteBuf in, int index, int length, String record) {
        if (!Utf8.isValid(in, index, length)) {
            throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, record + ".path: not valid UTF-8");
        }
    }
}
