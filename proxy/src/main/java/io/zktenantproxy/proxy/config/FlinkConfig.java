package io.zktenantproxy.proxy.config;

import java.util.List;

/**
 * The proxy's periodic scan of every tenant's Flink HA state, from which the {@code zktp_flink_*} meters are set
 * (issue 18; {@code docs/METRICS.md}, "Flink meters"). One background thread reads one tenant at a time, through the
 * proxy's own client, within the bounds below; scrapes only read what the last scan found.
 *
 * <pre>
 * flink:
 *   scanIntervalMs: 30000     # 0: no scan, no zktp_flink_* series
 *   roots: [/flink]           # high-availability.zookeeper.path.root of the tenants' clusters
 *   discover: true            # also every top-level znode of a tenant as a root
 *   maxClusters: 20           # per tenant, clusters with series; the rest counted in zktp_flink_overflow
 *   maxJobs: 50               # per tenant, jobs with a checkpoint-age series
 *   maxNodes: 10000           # znodes one tenant's scan may read
 *   scanTimeoutMs: 10000      # longest one tenant's scan may take
 *   orphanAfterMs: 3600000    # how long a cluster must be dormant to count as orphaned
 * </pre>
 *
 * Every field may be left out for its default. {@link ConfigValidator} checks the ranges.
 *
 * @param scanIntervalMs time between the starts of two scans of all tenants, milliseconds; 0 turns the scan off
 * @param roots          tenant paths Flink clusters are looked for under
 * @param discover       whether every top-level znode of a tenant is also taken as a root
 * @param maxClusters    clusters per tenant given series, the first by path; 1..{@value #MAX_SERIES_BOUND}
 * @param maxJobs        jobs per tenant given a checkpoint-age series, the first by cluster and id;
 *                       1..{@value #MAX_SERIES_BOUND}
 * @param maxNodes       znodes one tenant's scan may read; past it the scan is incomplete
 * @param scanTimeoutMs  longest one tenant's scan may take, milliseconds; past it the scan is incomplete
 * @param orphanAfterMs  how long a cluster must be dormant (no leader, no live session) to count as orphaned, ms
 */
public record FlinkConfig(Integer scanIntervalMs, List<String> roots, Boolean discover, Integer maxClusters,
                          Integer maxJobs, Integer maxNodes, Integer scanTimeoutMs, Long orphanAfterMs) {
    /** Default of {@link #scanIntervalMs}. */
    public static final int DEFAULT_SCAN_INTERVAL_MS = 30_000;
    /** Default of {@link #maxClusters}. */
    public static final int DEFAULT_MAX_CLUSTERS = 20;
    /** Default of {@link #maxJobs}. */
    public static final int DEFAULT_MAX_JOBS = 50;
    /** Default of {@link #maxNodes}. */
    public static final int DEFAULT_MAX_NODES = 10_000;
    /** Default of {@link #scanTimeoutMs}. */
    public static final int DEFAULT_SCAN_TIMEOUT_MS = 10_000;
    /** Default of {@link #orphanAfterMs}: one hour. */
    public static final long DEFAULT_ORPHAN_AFTER_MS = 3_600_000L;
    /** The largest {@link #maxClusters} and {@link #maxJobs}: series per tenant stay in the hundreds at most. */
    public static final int MAX_SERIES_BOUND = 1000;
    /** The shortest non-zero {@link #scanIntervalMs}. */
    public static final int MIN_SCAN_INTERVAL_MS = 100;

    /** Fills in the defaults of the fields left out. */
    public FlinkConfig {
        scanIntervalMs = scanIntervalMs != null ? scanIntervalMs : DEFAULT_SCAN_INTERVAL_MS;
        roots = roots != null ? List.copyOf(roots) : List.of("/flink");
        discover = discover == null || discover;
        maxClusters = maxClusters != null ? maxClusters : DEFAULT_MAX_CLUSTERS;
        maxJobs = maxJobs != null ? maxJobs : DEFAULT_MAX_JOBS;
        maxNodes = maxNodes != null ? maxNodes : DEFAULT_MAX_NODES;
        scanTimeoutMs = scanTimeoutMs != null ? scanTimeoutMs : DEFAULT_SCAN_TIMEOUT_MS;
        orphanAfterMs = orphanAfterMs != null ? orphanAfterMs : DEFAULT_ORPHAN_AFTER_MS;
    }

    /** @return every field at its default */
    public static FlinkConfig defaults() {
        return new FlinkConfig(null, null, null, null, null, null, null, null);
    }

    /** @return whether the scan runs */
    public boolean enabled() {
        return scanIntervalMs > 0;
    }

    /** @return this configuration with another scan interval, milliseconds (0: off) */
    public FlinkConfig withScanIntervalMs(int ms) {
        return new FlinkConfig(ms, roots, discover, maxClusters, maxJobs, maxNodes, scanTimeoutMs, orphanAfterMs);
    }

    /** @return this configuration with other series bounds per tenant */
    public FlinkConfig withSeriesBounds(int clusters, int jobs) {
        return new FlinkConfig(scanIntervalMs, roots, discover, clusters, jobs, maxNodes, scanTimeoutMs,
                orphanAfterMs);
    }

    /** @return this configuration with another orphan threshold, milliseconds */
    public FlinkConfig withOrphanAfterMs(long ms) {
        return new FlinkConfig(scanIntervalMs, roots, discover, maxClusters, maxJobs, maxNodes, scanTimeoutMs, ms);
    }
}
