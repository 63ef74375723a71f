package io.zktenantproxy.proxy.flink;

import io.zktenantproxy.proxy.tree.TreeException;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link FlinkHaScanner} scan looks at and within which bounds (the tree endpoint's bounds, nodes and time,
 * plus a bound per listing).
 *
 * @param roots       HA roots ({@code high-availability.zookeeper.path.root}) to look under, tenant paths, e.g.
 *                    {@code [/flink]}
 * @param discover    whether every top-level znode of the tenant is also taken as a root, so clusters under a root
 *                    nobody configured here are found too (a cluster is a child of a root whose own children carry
 *                    Flink's names)
 * @param maxNodes    the most znodes the scan may discover; past it the view is {@link FlinkView#incomplete()}
 * @param maxChildren the most children listed of any one znode; a znode with more is reported as a problem and not
 *                    listed (a huge listing could exceed the client's {@code jute.maxbuffer} and drop its connection)
 * @param timeout     the longest the scan may take; past it the view is incomplete
 * @param orphanAfter how long a cluster must be dormant to count as orphaned ({@link FlinkCluster})
 */
public record FlinkScanLimits(List<String> roots, boolean discover, int maxNodes, int maxChildren, Duration timeout,
                              Duration orphanAfter) {
    /** Default {@link #maxChildren}. */
    public static final int DEFAULT_MAX_CHILDREN = 10_000;

    /** @throws TreeException {@code BAD_REQUEST} if a bound is out of range */
    public FlinkScanLimits {
        roots = List.copyOf(roots);
        if (maxNodes < 1) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "maxNodes: " + maxNodes + " (expected: >= 1)");
        }
        if (maxChildren < 1) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "maxChildren: " + maxChildren
                    + " (expected: >= 1)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "timeout: " + timeout + " (expected: > 0)");
        }
        if (orphanAfter.isNegative()) {
            throw new TreeException(TreeException.Kind.BAD_REQUEST, "orphanAfter: " + orphanAfter
                    + " (expected: >= 0)");
        }
    }

    /**
     * @return Flink's default root {@code /flink}, discovery on, {@code maxNodes} and {@code timeout} as given,
     *         {@value #DEFAULT_MAX_CHILDREN} children per listing, orphaned after one hour
     */
    public static FlinkScanLimits defaults(int maxNodes, Duration timeout) {
        return new FlinkScanLimits(List.of(FlinkZnodes.DEFAULT_ROOT), true, maxNodes, DEFAULT_MAX_CHILDREN, timeout,
                Duration.ofHours(1));
    }
}
