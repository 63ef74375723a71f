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
 * Every path is checked ({@link ChrootPolicy#watch}) and prepended. A data or exist watch on
 * {@value ChrootPolicy#ENSEMBLE_CONFIG_PATH} is dropped from the lists: the proxy answers that read itself, so there
 * is no upstream watch to restore.
 */
final class WatchListRewriter {
    private final TenantChroot chroot;

    WatchListRewriter(TenantChroot chroot) {
        this.chroot = chroot;
    }

    /** @param in the request, positioned after its {@code RequestHeader} */
    RequestOutcome rewrite(ByteBuf in, int xid, OpCode op, ByteBufAllocator alloc) {
        int lists = op == OpCode.SET_WATCHES2 ? 5 : 3;
        return RequestRewriter.writeAnew(alloc, in.readableBytes() * 2 + 64, xid, op, out -> {
            out.writeLong(Jute.readLong(in, op.name() + ".relativeZxid"));
            ChrootPolicy.Verdict refused = null;
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
                    if (refused != null) {
                        continue;
                    }
                    ChrootPolicy.Verdict verdict = ChrootPolicy.watch(op, list, in, index, length);
                    if (verdict.allowed()) {
                        chroot.writePrepended(out, in, index, length, false);
                        kept++;
                    } else if (verdict != ChrootPolicy.Verdict.ENSEMBLE_CONFIG) {
                        refused = verdict;
                    }
                }
                if (count > 0) {
                    out.setInt(countIndex, kept);
                }
            }
            Jute.expectEnd(in, op.name());
            return refused != null ? new RequestOutcome.Refuse(xid, op.code(), refused.err(), refused.reason()) : null;
        });
    }
}
