package io.zktenantproxy.proxy.tree;

import io.zktenantproxy.protocol.TenantChroot;
import java.time.Duration;

/**
 * What tree to read and within which bounds.
 *
 * @param chroot   the tenant's chroot; paths are shown relative to it
 * @param path     the client path of the subtree's root, e.g. {@code /} or {@code /flink}
 * @param depth    levels of children to return below {@code path} (0: the node alone); every level is still
 *                 walked for the totals
 * @param maxNodes the most nodes the walk may visit; past it the walk fails with {@code TOO_LARGE}
 * @param timeout  the longest the walk may take; past it, it fails with {@code TIMEOUT}
 * @param data     whether returned nodes carry their data
 * @param dataMax  the most data bytes shown per node
 */
public record TreeQuery(TenantChroot chroot, String path, int depth, int maxNodes, Duration timeout, boolean data,
                        int dataMax) {
    /** Largest {@link #depth} accepted. */
    public static final int MAX_DEPTH = 1_000;

    /** @throws TreeException {@code BAD_REQUEST} if the path breaks ZooKeeper's rules or a bound is out of range */
    public TreeQuery {
        try {
            chroot.prepend(path);
        } catch (IllegalArgumentException e) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "path '" + path + "': " + e.getMessage());
        }
        if (depth < 0 || depth > MAX_DEPTH) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "depth: " + depth + " (expected: 0.." + MAX_DEPTH
                    + ")");
        }
        if (maxNodes < 1) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "maxNodes: " + maxNodes + " (expected: >= 1)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "timeout: " + timeout + " (expected: > 0)");
        }
        if (dataMax < 0) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "dataMax: " + dataMax + " (expected: >= 0)");
        }
    }

    /** @return the server path of {@link #path} */
    public String serverPath() {
        return chroot.prepend(path);
    }
}
