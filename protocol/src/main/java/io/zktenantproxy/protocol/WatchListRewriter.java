package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * {@code setWatches} (101) and {@code setWatches2} (105), which a client sends right after reconnecting (xid -8) to
 * restore every watch it holds:
 *
 * <pre>
 * SetWatches:  long relativeZxid | vector&lt;ustring&gt; dataWatches | existWatches | childWatches
 * SetWatches2: SetWatches ... | vector&lt;ustring&gt; persistentWatches | persistentRecursiveWatches
 * </pre>
 *
 * Every path is checked and prepended. {@value RequestRewriter#ENSEMBLE_CONFIG_PATH} is dropped from the lists: the
 * proxy answers that read itself, so there is no upstream watch to restore.
 */
final class WatchListRewriter {
    private final TenantChroot chroot;

    WatchListRewriter(TenantChroot chroot) {
        this.chroot = chroot;
    }

    /** @param in the request, positioned after its {@code RequestHeader} */
    RequestRewriter.Result rewrite(ByteBuf in, int xid, OpCode op, ByteBufAllocator alloc) {
        int lists = op == OpCode.SET_WATCHES2 ? 5 : 3;
        ByteBuf out = alloc.buffer(in.readableBytes() * 2 + 64);
        try {
            out.writeInt(0);
            out.writeInt(xid);
            out.writeInt(op.code());
            out.writeLong(Jute.readLong(in, op.name() + ".relativeZxid"));
            String refusal = null;
            for (int list = 0; list < lists; list++) {
                String field = op.name() + ".watches[" + list + "]";
                int count = Jute.readCount(in, Integer.BYTES, field);
                int countIndex = out.writerIndex();
                out.writeInt(count);
                int kept = 0;
                for (int i = 0; i < count; i++) {
                    int length = Jute.readLength(in, field);
                    int index = in.readerIndex();
                    if (length > 0) {
                        in.skipBytes(length);
                    }
                    if (!Utf8.isValid(in, index, Math.max(length, 0))) {
                        throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, field + ": not valid UTF-8");
                    }
                    if (refusal != null) {
                        continue;
                    }
                    refusal = length < 0 ? "null path in " + op.name() : PathRules.violation(in, index, length, false);
                    boolean dataOrExist = list < 2;
                    if (refusal == null && !(dataOrExist && RequestRewriter.isEnsembleConfig(in, index, length))) {
                        chroot.writePrepended(out, in, index, length, false);
                        kept++;
                    }
                }
                if (count > 0) {
                    out.setInt(countIndex, kept);
                }
            }
            Jute.expectEnd(in, op.name());
            if (refusal != null) {
                return RequestRewriter.Result.answer(xid, op.code(), op, KeeperCode.BAD_ARGUMENTS, refusal);
            }
            out.setInt(0, out.readableBytes() - Integer.BYTES);
            RequestRewriter.Result result = RequestRewriter.Result.forward(xid, op, out);
            out = null;
            return result;
        } finally {
            if (out != null) {
                out.release();
            }
        }
    }
}
