package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Rewrites server frames (after the handshake) out of the tenant's chroot.
 *
 * <pre>
 * | len | xid | zxid | err | body (by the pending request's opcode; none when err != 0, multi included) |
 * </pre>
 *
 * Replies whose body holds no server path ({@link OpCode.ReplyShape#OPAQUE}, {@link OpCode.ReplyShape#NONE}) go back
 * as the very same buffer. Paths are stripped from create, create2/createTTL/createContainer, sync and multi replies
 * and from watch events; getEphemerals results are filtered to the chroot first, because the server matches the
 * prefix as a plain string ({@code /tenants/t1} also matches {@code /tenants/t12/...}). A server path outside the
 * chroot anywhere else is an {@link IsolationViolationException}. getACL and whoAmI replies hold no paths but may name
 * the proxy's identities, which {@link SessionAcls} hides.
 *
 * <p>An error reply carries no body a client reads ({@code ClientCnxn} deserializes only when {@code err == 0}), so
 * any body the server sent with an error is dropped rather than inspected.
 */
final class ReplyRewriter {
    private final TenantChroot chroot;
    private final MultiRewriter multi;
    private final SessionAcls acls;

    /** @param acls the connection's ACL policy, which decides what getACL and whoAmI replies show */
    ReplyRewriter(TenantChroot chroot, SessionAcls acls) {
        this.chroot = chroot;
        this.multi = new MultiRewriter(chroot, null);
        this.acls = acls;
    }

    /**
     * @param frame a whole reply frame (length included) to the request {@code op}; not consumed, not released
     * @return a buffer the caller owns: {@code frame} itself (retained) or a new one
     */
    ByteBuf rewriteReply(ByteBuf frame, OpCode op, int err, ByteBufAllocator alloc) {
        int bodyLength = frame.readableBytes() - Integer.BYTES - Jute.REPLY_HEADER_BYTES;
        if (err != KeeperCode.OK) {
            return bodyLength == 0 ? frame.retain() : headerOnly(frame, alloc);
        }
        switch (op.reply()) {
            case NONE, OPAQUE -> {
                return frame.retain();
            }
            case CREATE_PATH, SYNC_PATH, CREATE2_PATH -> {
                ByteBuf in = body(frame);
                ByteBuf out = startCopy(frame, alloc, in.readableBytes());
                try {
                    int length = Jute.readLength(in, op.pathField());
                    if (length < 0) {
                        throw new IsolationViolationException("null path in " + op.name() + " reply");
                    }
                    chroot.writeStripped(out, in, in.readerIndex(), length);
                    in.skipBytes(length);
                    if (op.reply() == OpCode.ReplyShape.CREATE2_PATH) {
                        Jute.need(in, Jute.STAT_BYTES, "Create2Response.stat");
                        out.writeBytes(in, Jute.STAT_BYTES);
                    }
                    Jute.expectEnd(in, op.name() + " reply");
                    return finish(out);
                } catch (RuntimeException e) {
                    out.release();
                    throw e;
                }
            }
            case MULTI -> {
                ByteBuf in = body(frame);
                ByteBuf out = startCopy(frame, alloc, in.readableBytes());
                try {
                    multi.rewriteReply(in, out);
                    return finish(out);
                } catch (RuntimeException e) {
                    out.release();
                    throw e;
                }
            }
            case EPHEMERALS -> {
                return ephemerals(frame, alloc);
            }
            case ACL_LIST, CLIENT_INFO -> {
                if (!acls.rewritesReplies()) {
                    return frame.retain();
                }
                ByteBuf in = body(frame);
                ByteBuf out = startCopy(frame, alloc, in.readableBytes());
                try {
                    if (op.reply() == OpCode.ReplyShape.ACL_LIST) {
                        acls.rewriteAclReply(in, out);
                    } else {
                        acls.rewriteWhoAmIReply(in, out);
                    }
                    return finish(out);
                } catch (RuntimeException e) {
                    out.release();
                    throw e;
                }
            }
            default -> throw new IllegalStateException("unhandled reply shape " + op.reply());
        }
    }

    /** A watch event, {@code WatcherEvent{int type; int state; ustring path}} under xid -1. */
    ByteBuf rewriteNotification(ByteBuf frame, ByteBufAllocator alloc) {
        ByteBuf in = body(frame);
        ByteBuf out = startCopy(frame, alloc, in.readableBytes());
        try {
            out.writeInt(Jute.readInt(in, "WatcherEvent.type"));
            out.writeInt(Jute.readInt(in, "WatcherEvent.state"));
            int length = Jute.readLength(in, "WatcherEvent.path");
            if (length < 0) {
                throw new IsolationViolationException("null path in a watch event");
            }
            chroot.writeStripped(out, in, in.readerIndex(), length);
            in.skipBytes(length);
            Jute.expectEnd(in, "WatcherEvent");
            return finish(out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private ByteBuf ephemerals(ByteBuf frame, ByteBufAllocator alloc) {
        ByteBuf in = body(frame);
        ByteBuf out = startCopy(frame, alloc, in.readableBytes());
        try {
            int count = Jute.readCount(in, Integer.BYTES, "GetEphemeralsResponse.ephemerals");
            int countIndex = out.writerIndex();
            out.writeInt(count);
            int kept = 0;
            for (int i = 0; i < count; i++) {
                int length = Jute.readLength(in, "GetEphemeralsResponse.ephemerals");
                int index = in.readerIndex();
                if (length > 0) {
                    in.skipBytes(length);
                }
                if (length >= 0 && inChroot(in, index, length)) {
                    chroot.writeStripped(out, in, index, length);
                    kept++;
                }
            }
            Jute.expectEnd(in, "GetEphemeralsResponse");
            if (count > 0) {
                out.setInt(countIndex, kept);
            }
            return finish(out);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private boolean inChroot(ByteBuf in, int index, int length) {
        try {
            chroot.strippedOffset(in, index, length);
            return true;
        } catch (IsolationViolationException e) {
            return false; // another tenant's ephemeral of this session: filtered, as the prefix match is by string
        }
    }

    private static ByteBuf body(ByteBuf frame) {
        ByteBuf in = frame.duplicate();
        in.skipBytes(Integer.BYTES + Jute.REPLY_HEADER_BYTES);
        return in;
    }

    /** A new frame holding the length placeholder and the same reply header as {@code frame}. */
    private static ByteBuf startCopy(ByteBuf frame, ByteBufAllocator alloc, int bodyHint) {
        ByteBuf out = alloc.buffer(Integer.BYTES + Jute.REPLY_HEADER_BYTES + bodyHint);
        out.writeInt(0);
        out.writeBytes(frame, frame.readerIndex() + Integer.BYTES, Jute.REPLY_HEADER_BYTES);
        return out;
    }

    private static ByteBuf finish(ByteBuf out) {
        return out.setInt(0, out.readableBytes() - Integer.BYTES);
    }

    private static ByteBuf headerOnly(ByteBuf frame, ByteBufAllocator alloc) {
        return finish(startCopy(frame, alloc, 0));
    }
}
