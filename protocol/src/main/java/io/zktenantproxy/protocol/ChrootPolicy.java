package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Every verdict the proxy gives on a path a tenant sends, in one place: a request's own path, each sub-op path of
 * {@code multi} / {@code multiRead}, and each path of a {@code setWatches} / {@code setWatches2} list. The rewriters
 * read the path and splice it; whether it may go upstream is decided only here:
 * <ul>
 *   <li>a null path is refused with {@code BADARGUMENTS};</li>
 *   <li>a path that breaks ZooKeeper's rules ({@link PathRules}, as {@code PathUtils.validatePath}) is refused with
 *       {@code BADARGUMENTS} and the rule it breaks;</li>
 *   <li>{@code /} is the chroot znode, which stays the platform's: deleting it is refused with {@code BADARGUMENTS}
 *       (also inside {@code multi}), setting its ACL with {@code NOAUTH};</li>
 *   <li>{@value #ENSEMBLE_CONFIG_PATH} ({@code ZooDefs.CONFIG_NODE}), which Curator's ensemble tracker reads, is the
 *       proxy's: a getData of it is answered locally, and its data and exist watches are dropped from a
 *       {@code setWatches} list, since no upstream watch stands behind them. Everything else about it goes upstream
 *       into the chroot, like any path.</li>
 * </ul>
 * Everything else is allowed. Reasons are fixed strings and the allowed verdict a constant, so a request that passes
 * costs no allocation. Stateless: the rules do not depend on the tenant.
 */
final class ChrootPolicy {
    /** The znode Curator's ensemble tracker reads ({@code ZooDefs.CONFIG_NODE}); the proxy answers it itself. */
    static final String ENSEMBLE_CONFIG_PATH = "/zookeeper/config";
    private static final ByteBuf ENSEMBLE_CONFIG_BYTES = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer(ENSEMBLE_CONFIG_PATH.getBytes(StandardCharsets.US_ASCII)));
    /**
     * Index of {@code existWatches} in {@code SetWatches}: it and {@code dataWatches} before it hold the watches that
     * getData and exists set.
     */
    private static final int EXIST_WATCHES = 1;

    private static final Verdict NULL_PATH = Verdict.refuse(KeeperCode.BAD_ARGUMENTS, "null path");
    private static final Verdict DELETE_ROOT = Verdict.refuse(KeeperCode.BAD_ARGUMENTS, "the root cannot be deleted");
    // the chroot znode's ACL is the platform's: a tenant must not lock the proxy or operators out of it
    private static final Verdict SET_ROOT_ACL = Verdict.refuse(KeeperCode.NO_AUTH,
            "the root's ACL belongs to the platform");

    private ChrootPolicy() {
    }

    /**
     * What to do with one path. {@link #ALLOW} and {@link #ENSEMBLE_CONFIG} are constants, compared by identity; any
     * other verdict is a refusal with a {@link KeeperCode} and a fixed reason (for logs; never client bytes).
     */
    static final class Verdict {
        /** Prepend the chroot and send upstream. */
        static final Verdict ALLOW = new Verdict(KeeperCode.OK, null);
        /** The ensemble config znode: a getData is answered locally; a data or exist watch on it is dropped. */
        static final Verdict ENSEMBLE_CONFIG = new Verdict(KeeperCode.OK, "ensemble config");

        private final int err;
        private final String reason;

        private Verdict(int err, String reason) {
            this.err = err;
            this.reason = reason;
        }

        static Verdict refuse(int err, String reason) {
            return new Verdict(err, reason);
        }

        /** @return whether the path goes upstream under the chroot */
        boolean allowed() {
            return this == ALLOW;
        }

        /** @return the {@link KeeperCode} of a refusal */
        int err() {
            return err;
        }

        /** @return why; a fixed string */
        String reason() {
            return reason;
        }
    }

    /**
     * The path of a whole request: a path-first record or getEphemerals' prefix ({@link OpCode#splicesPath()}).
     *
     * @param pathLength the path's length in bytes, -1 for a null path
     * @param sequential whether the request is a sequential create (the path may end in {@code /})
     */
    static Verdict request(OpCode op, ByteBuf buf, int pathIndex, int pathLength, boolean sequential) {
        if (pathLength < 0) {
            return NULL_PATH;
        }
        Verdict verdict = path(op, buf, pathIndex, pathLength, sequential);
        if (verdict.allowed() && op == OpCode.GET_DATA && isEnsembleConfig(buf, pathIndex, pathLength)) {
            return Verdict.ENSEMBLE_CONFIG;
        }
        return verdict;
    }

    /**
     * The path of one op inside {@code batch} ({@code multi} or {@code multiRead}). The ensemble config read is not
     * answered locally there: the batch goes upstream whole, so that op reads the tenant's own znode.
     *
     * @param pathLength the path's length in bytes, -1 for a null path
     */
    static Verdict subOp(OpCode batch, OpCode sub, ByteBuf buf, int pathIndex, int pathLength, boolean sequential) {
        if (pathLength < 0) {
            return Verdict.refuse(KeeperCode.BAD_ARGUMENTS, "null path in " + batch.name());
        }
        return path(sub, buf, pathIndex, pathLength, sequential);
    }

    /**
     * One path of a {@code setWatches} / {@code setWatches2} list.
     *
     * @param list       which list, in record order: 0 data, 1 exist, 2 child, 3 persistent, 4 persistent recursive
     * @param pathLength the path's length in bytes, -1 for a null path
     * @return {@link Verdict#ENSEMBLE_CONFIG} for a data or exist watch on the ensemble config znode: drop it
     */
    static Verdict watch(OpCode op, int list, ByteBuf buf, int pathIndex, int pathLength) {
        if (pathLength < 0) {
            return Verdict.refuse(KeeperCode.BAD_ARGUMENTS, "null path in " + op.name());
        }
        Verdict verdict = path(null, buf, pathIndex, pathLength, false);
        if (verdict.allowed() && list <= EXIST_WATCHES && isEnsembleConfig(buf, pathIndex, pathLength)) {
            return Verdict.ENSEMBLE_CONFIG;
        }
        return verdict;
    }

    /** ZooKeeper's path rules, then the rules for the chroot znode itself ({@code /}) for {@code op}. */
    private static Verdict path(OpCode op, ByteBuf buf, int index, int length, boolean sequential) {
        String broken = PathRules.violation(buf, index, length, sequential);
        if (broken != null) {
            return Verdict.refuse(KeeperCode.BAD_ARGUMENTS, broken);
        }
        if (length == 1 && op == OpCode.DELETE) {
            return DELETE_ROOT;
        }
        if (length == 1 && op == OpCode.SET_ACL) {
            return SET_ROOT_ACL;
        }
        return Verdict.ALLOW;
    }

    private static boolean isEnsembleConfig(ByteBuf buf, int index, int length) {
        return length == ENSEMBLE_CONFIG_BYTES.capacity()
                && ByteBufUtil.equals(buf, index, ENSEMBLE_CONFIG_BYTES, 0, length);
    }
}
