package io.zktenantproxy.proxy.flink;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zktenantproxy.proxy.metrics.MeterNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flink meters of one tenant, set from the views of a periodic scan ({@link FlinkHaScanner}) and read by scrapes
 * at no cost: a scrape reads numbers the last scan stored (the checkpoint age subtracts a stored ctime from the
 * clock, so it keeps rising between scans as it should).
 *
 * <p>Series: {@code zktp_flink_leader_present} and {@code zktp_flink_jobs} per cluster,
 * {@code zktp_flink_checkpoint_age_seconds} per job with a checkpoint, {@code zktp_flink_orphaned_clusters} and
 * {@code zktp_flink_overflow{kind}} per tenant, {@code zktp_flink_scan_seconds{outcome}} per tenant. Cluster paths and
 * job ids come from the tenant's znodes, so they are bounded: at most {@code maxClusters} clusters and
 * {@code maxJobs} jobs of the tenant have series. A cluster or job keeps its series once it has one (no flapping
 * between scans); a new one gets one while there is room, the first by path and id; the rest are counted in
 * {@code zktp_flink_overflow} and logged once per change of the count.
 *
 * <p>Series are removed only after a complete scan no longer finds their cluster or job (or the job's checkpoint),
 * so an incomplete scan (node or time bound) updates what it read and drops nothing. A failed scan changes nothing
 * but its timer. Guarded by this object's lock: the scan thread writes, {@link #close} may come from another.
 */
public final class FlinkMeters implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FlinkMeters.class);

    private final MeterRegistry registry;
    private final String tenant;
    private final LongSupplier clock;
    private final Map<String, ClusterSeries> clusters = new LinkedHashMap<>();
    private final Map<String, JobSeries> jobs = new LinkedHashMap<>();
    private final Map<String, Timer> scans = new HashMap<>();
    private final Counts counts = new Counts();
    private final List<Meter> tenantMeters = new ArrayList<>();

    /** Values of the tenant-wide gauges, written under the lock, read by scrapes. */
    private static final class Counts {
        volatile double orphaned;
        volatile double clusterOverflow;
        volatile double jobOverflow;
    }

    /**
     * Longest cluster path or job id given series; a longer one (the tenant names its znodes, up to about
     * {@code jute.maxbuffer}) is counted as overflow, so that no tenant can make every scrape megabytes long. Flink's
     * own are short: {@code /flink/<cluster-id>}, 32-hex-digit job ids.
     */
    static final int MAX_LABEL_CHARS = 256;

    /** The series of one cluster. */
    private static final class ClusterSeries {
        volatile double leader;
        volatile double jobs;
        Gauge leaderGauge;
        Gauge jobsGauge;
    }

    /** The series of one job: the ctime of its newest checkpoint pointer, milliseconds since the epoch. */
    private static final class JobSeries {
        volatile long ctime;
        Gauge age;
    }

    /**
     * Registers the tenant-wide gauges.
     *
     * @param tenant the configured tenant name
     */
    public FlinkMeters(MeterRegistry registry, String tenant) {
        this(registry, tenant, System::currentTimeMillis);
    }

    FlinkMeters(MeterRegistry registry, String tenant, LongSupplier clock) {
        this.registry = registry;
        this.tenant = tenant;
        this.clock = clock;
        tenantMeters.add(Gauge.builder(MeterNames.FLINK_ORPHANED_CLUSTERS, counts, c -> c.orphaned)
                .description("Flink clusters of the tenant with no leader and no live session past the threshold")
                .tag(MeterNames.TENANT, tenant).register(registry));
        tenantMeters.add(overflow("clusters", c -> c.clusterOverflow));
        tenantMeters.add(overflow("jobs", c -> c.jobOverflow));
    }

    private Gauge overflow(String kind, java.util.function.ToDoubleFunction<Counts> value) {
        return Gauge.builder(MeterNames.FLINK_OVERFLOW, counts, value)
                .description("Flink clusters or jobs found beyond flink.maxClusters or flink.maxJobs, without series")
                .tags(MeterNames.TENANT, tenant, MeterNames.KIND, kind).register(registry);
    }

    /**
     * Sets the series from one scan's view and times the scan ({@code outcome} {@code ok}, or {@code incomplete} for
     * an {@linkplain FlinkView#complete() incomplete} view).
     *
     * @param took        how long the scan took
     * @param maxClusters most clusters of the tenant with series, positive
     * @param maxJobs     most jobs of the tenant with series, positive
     */
    public synchronized void update(FlinkView view, Duration took, int maxClusters, int maxJobs) {
        boolean complete = view.complete();
        scan(complete ? "ok" : "incomplete").record(took);
        if (complete) {
            Set<String> found = new HashSet<>();
            Set<String> foundJobs = new HashSet<>();
            for (FlinkCluster c : view.clusters()) {
                found.add(c.path());
                c.jobs().stream().filter(j -> j.newestCheckpoint() != null)
                        .forEach(j -> foundJobs.add(jobKey(c, j)));
            }
            clusters.keySet().removeIf(path -> !found.contains(path) && remove(clusters.get(path)));
            jobs.keySet().removeIf(key -> !foundJobs.contains(key) && remove(jobs.get(key).age));
            counts.orphaned = view.clusters().stream().filter(FlinkCluster::orphaned).count();
        }
        int droppedClusters = 0;
        int droppedJobs = 0;
        for (FlinkCluster c : view.clusters()) {
            ClusterSeries s = clusters.get(c.path());
            if (s == null && clusters.size() < maxClusters && c.path().length() <= MAX_LABEL_CHARS) {
                s = clusterSeries(c.path());
                clusters.put(c.path(), s);
            }
            if (s == null) {
                droppedClusters++;
            } else {
                s.leader = c.leaderPresent() ? 1 : 0;
                s.jobs = c.jobs().size();
            }
            for (FlinkJob j : c.jobs()) {
                if (j.newestCheckpoint() == null) {
                    continue;
                }
                String key = jobKey(c, j);
                JobSeries js = jobs.get(key);
                if (js == null && s != null && jobs.size() < maxJobs && j.jobId().length() <= MAX_LABEL_CHARS) {
                    js = jobSeries(c.path(), j.jobId());
                    jobs.put(key, js);
                }
                if (js == null) {
                    droppedJobs++;
                } else {
                    js.ctime = j.newestCheckpoint().ctime();
                }
            }
        }
        overflowed("clusters", "flink.maxClusters", maxClusters, counts.clusterOverflow, droppedClusters);
        overflowed("jobs", "flink.maxJobs", maxJobs, counts.jobOverflow, droppedJobs);
        counts.clusterOverflow = droppedClusters;
        counts.jobOverflow = droppedJobs;
    }

    /** Times a scan that failed (no connection, the tenant's root unreadable); the series stay as they were. */
    public synchronized void failed(Duration took) {
        scan("failed").record(took);
    }

    /** Removes every series of the tenant (it was removed from the configuration, or the scan was turned off). */
    @Override
    public synchronized void close() {
        clusters.values().forEach(this::remove);
        jobs.values().forEach(j -> remove(j.age));
        tenantMeters.forEach(registry::remove);
        scans.values().forEach(registry::remove);
        clusters.clear();
        jobs.clear();
        tenantMeters.clear();
        scans.clear();
    }

    /** @return the number of cluster and job series, for tests */
    synchronized int series() {
        return clusters.size() + jobs.size();
    }

    private void overflowed(String kind, String bound, int max, double before, int now) {
        if (now != before) {
            if (now > 0) {
                LOG.warn("tenant {}: {} Flink {} have no series ({}: {})", tenant, now, kind, bound, max);
            } else {
                LOG.info("tenant {}: the Flink {} all have series again ({}: {})", tenant, kind, bound, max);
            }
        }
    }

    private Timer scan(String outcome) {
        return scans.computeIfAbsent(outcome, o -> Timer.builder(MeterNames.FLINK_SCAN)
                .description("Scans of the tenant's Flink HA state and their length, by outcome")
                .tags(MeterNames.TENANT, tenant, MeterNames.OUTCOME, o).register(registry));
    }

    private ClusterSeries clusterSeries(String path) {
        ClusterSeries s = new ClusterSeries();
        s.leaderGauge = Gauge.builder(MeterNames.FLINK_LEADER_PRESENT, s, x -> x.leader)
                .description("1 when the Flink cluster's leader latch has a holder, else 0")
                .tags(MeterNames.TENANT, tenant, MeterNames.CLUSTER, path).strongReference(true).register(registry);
        s.jobsGauge = Gauge.builder(MeterNames.FLINK_JOBS, s, x -> x.jobs)
                .description("Jobs of the Flink cluster found in its HA znodes")
                .tags(MeterNames.TENANT, tenant, MeterNames.CLUSTER, path).strongReference(true).register(registry);
        return s;
    }

    private JobSeries jobSeries(String path, String jobId) {
        JobSeries s = new JobSeries();
        s.age = Gauge.builder(MeterNames.FLINK_CHECKPOINT_AGE, s, x -> Math.max(0, clock.getAsLong() - x.ctime) / 1e3)
                .description("Seconds since the job's newest checkpoint pointer was written (its znode's ctime)")
                .baseUnit("seconds")
                .tags(MeterNames.TENANT, tenant, MeterNames.CLUSTER, path, MeterNames.JOB, jobId)
                .strongReference(true).register(registry);
        return s;
    }

    private boolean remove(ClusterSeries s) {
        registry.remove(s.leaderGauge);
        registry.remove(s.jobsGauge);
        return true;
    }

    private boolean remove(Meter m) {
        registry.remove(m);
        return true;
    }

    private static String jobKey(FlinkCluster c, FlinkJob j) {
        // a NUL cannot occur in a ZooKeeper path, so the key is unambiguous
        return c.path() + '\0' + j.jobId();
    }
}
