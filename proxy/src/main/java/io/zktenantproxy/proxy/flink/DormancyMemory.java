package io.zktenantproxy.proxy.flink;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a long-running scanner saw of each cluster across scans: that it was alive (a leader or an ephemeral znode),
 * or when it saw it go dormant after that. So a cluster that went quiet under the scanner's eyes is called orphaned
 * only once the threshold has passed since then, while one the scanner never saw alive is judged by its znodes' times
 * alone ({@link FlinkCluster}). Keys are clusters' server paths (chroot included), so one memory serves every tenant.
 * At most {@value #MAX_ENTRIES} entries: a cluster past that is judged by its znodes' times. Thread-safe.
 */
final class DormancyMemory {
    static final int MAX_ENTRIES = 10_000;
    private static final long ALIVE = Long.MIN_VALUE;
    private final Map<String, Long> seen = new HashMap<>();

    /**
     * Records one complete scan's verdict on a cluster.
     *
     * @return when this memory saw the cluster go dormant after it had seen it alive, or null when the cluster is
     *         alive, was never seen alive, or the memory is full
     */
    synchronized Long observe(String clusterServerPath, boolean dormant, long now) {
        Long before = seen.get(clusterServerPath);
        if (before == null && seen.size() >= MAX_ENTRIES) {
            return null;
        }
        if (!dormant) {
            seen.put(clusterServerPath, ALIVE);
            return null;
        }
        if (before == null) {
            return null;
        }
        if (before == ALIVE) {
            seen.put(clusterServerPath, now);
            return now;
        }
        return before;
    }

    /** Forgets the clusters under {@code chrootPrefix + "/"} that a complete scan no longer found. */
    synchronized void retain(String chrootPrefix, Set<String> found) {
        seen.keySet().removeIf(k -> k.startsWith(chrootPrefix + "/") && !found.contains(k));
    }
}
