package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Builds the reply frames the proxy sends on its own behalf ({@code ReplyHeader} and, where needed, a body). */
public final class Replies {
    private Replies() {
    }

    /** A header-only reply: {@code ReplyHeader{xid, zxid, err}}, as a whole frame. */
    public static ByteBuf header(ByteBufAllocator alloc, int xid, long zxid, int err) {
        ByteBuf out = alloc.buffer(Integer.BYTES + Jute.REPLY_HEADER_BYTES);
        out.writeInt(Jute.REPLY_HEADER_BYTES);
        out.writeInt(xid);
        out.writeLong(zxid);
        out.writeInt(err);
        return out;
    }

    /**
     * A successful getData reply, {@code GetDataResponse{buffer data; Stat stat}}, for a znode the proxy serves
     * itself: the stat is all zeros but for {@code dataLength}.
     */
    public static ByteBuf getData(ByteBufAllocator alloc, int xid, long zxid, byte[] data) {
        ByteBuf out = alloc.buffer(Integer.BYTES + Jute.REPLY_HEADER_BYTES + Integer.BYTES + data.length
                + Jute.STAT_BYTES);
        out.writeInt(0);
        out.writeInt(xid);
        out.writeLong(zxid);
        out.writeInt(KeeperCode.OK);
        Jute.writeBuffer(out, data);
        out.writeLong(0); // czxid
        out.writeLong(0); // mzxid
        out.writeLong(0); // ctime
        out.writeLong(0); // mtime
        out.writeInt(0); // version
        out.writeInt(0); // cversion
        out.writeInt(0); // aversion
        out.writeLong(0); // ephemeralOwner
        out.writeInt(data.length); // dataLength
        out.writeInt(0); // numChildren
        out.writeLong(0); // pzxid
        return out.setInt(0, out.readableBytes() - Integer.BYTES);
    }

    /**
     * The reply ZooKeeper gives a {@code multi} that failed before it ran: {@code ReplyHeader{xid, zxid, 0}} and a
     * {@code MultiResponse} of one {@code ErrorResult} per sub-op, each {@code MultiHeader{-1, false, err}} plus
     * {@code ErrorResponse{err}}: {@code OK} before the failed sub-op, {@code failedErr} for it,
     * {@code RUNTIMEINCONSISTENCY} after it; then {@code MultiHeader{-1, true, -1}}.
     *
     * @param failedIndex the failed sub-op, 0-based, below {@code count}
     */
    public static ByteBuf failedMulti(ByteBufAllocator alloc, int xid, long zxid, int failedIndex, int failedErr,
                                      int count) {
        int resultBytes = Integer.BYTES + 1 + Integer.BYTES + Integer.BYTES;
        ByteBuf out = alloc.buffer(Integer.BYTES + Jute.REPLY_HEADER_BYTES + (count + 1) * resultBytes);
        out.writeInt(0);
        out.writeInt(xid);
        out.writeLong(zxid);
        out.writeInt(KeeperCode.OK);
        for (int i = 0; i < count; i++) {
            int err = i < failedIndex ? KeeperCode.OK
                    : i == failedIndex ? failedErr : KeeperCode.RUNTIME_INCONSISTENCY;
            out.writeInt(OpCode.ERROR.code());
            out.writeBoolean(false);
            out.writeInt(err);
            out.writeInt(err); // ErrorResponse
        }
        out.writeInt(-1);
        out.writeBoolean(true);
        out.writeInt(-1);
        return out.setInt(0, out.readableBytes() - Integer.BYTES);
    }
}
