package io.zktenantproxy.proxy.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link FlinkMeters} fed views directly: values, bounds and overflow, incomplete and failed scans, removal. */
class FlinkMetersTest {
    private static final Duration TOOK = Duration.ofMillis(3);
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FlinkMeters meters = new FlinkMeters(registry, "acme", now::get);

    static FlinkJob job(String id, Long ctime) {
        return new FlinkJob(id, null, ctime == null ? null : new CheckpointPointer("/x", 1, ctime, List.of()), 1,
                null, null, null);
    }

    static FlinkCluster cluster(String path, boolean leader, boolean orphaned, FlinkJob... jobs) {
        return new FlinkCluster(path, "/flink", path.substring(path.lastIndexOf('/') + 1), HaLayout.FLINK_2_0,
                leader, List.of(), List.of(jobs), List.of(), leader ? 1 : 0, null, orphaned ? 0L : null, orphaned,
                List.of(), List.of());
    }

    static FlinkView view(String incomplete, FlinkCluster... clusters) {
        return new FlinkView(0, List.of("/flink"), List.of(clusters), 10, incomplete);
    }

    private Double gauge(String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        return g == null ? null : g.value();
    }

    @Test
    void setsTheGaugesAndMeasuresTheAgeAtScrapeTime() {
        meters.update(view(null, cluster("/flink/a", true, false, job("j1", 400_000L), job("j2", null)),
                cluster("/flink/b", false, true)), TOOK, 20, 50);
        assertEquals(1, gauge("zktp.flink.leader.present", "cluster", "/flink/a"));
        assertEquals(0, gauge("zktp.flink.leader.present", "cluster", "/flink/b"));
        assertEquals(2, gauge("zktp.flink.jobs", "cluster", "/flink/a"));
        assertEquals(1, gauge("zktp.flink.orphaned.clusters", "tenant", "acme"));
        assertEquals(600, gauge("zktp.flink.checkpoint.age", "job", "j1"));
        assertNull(gauge("zktp.flink.checkpoint.age", "job", "j2"), "no checkpoint, no age series");
        now.addAndGet(1_500);
        assertEquals(601.5, gauge("zktp.flink.checkpoint.age", "job", "j1"));
        assertEquals(1, registry.find("zktp.flink.scan").tags("outcome", "ok").timer().count());
    }

    @Test
    void boundsSeriesCountsTheRestAndKeepsWhatHasSeries() {
        meters.update(view(null, cluster("/flink/b", true, false, job("j1", 1L), job("j2", 1L), job("j3", 1L)),
                cluster("/flink/c", true, false)), TOOK, 1, 2);
        assertEquals(3, meters.series(), "one cluster, two jobs");
        assertEquals(1, gauge("zktp.flink.overflow", "kind", "clusters"));
        assertEquals(1, gauge("zktp.flink.overflow", "kind", "jobs"));
        // a cluster sorting first arrives: the one with series keeps them
        meters.update(view(null, cluster("/flink/a", true, false), cluster("/flink/b", true, false, job("j1", 1L)),
                cluster("/flink/c", true, false)), TOOK, 1, 2);
        assertEquals(1, gauge("zktp.flink.leader.present", "cluster", "/flink/b"));
        assertNull(gauge("zktp.flink.leader.present", "cluster", "/flink/a"));
        assertEquals(2, gauge("zktp.flink.overflow", "kind", "clusters"));
        assertEquals(0, gauge("zktp.flink.overflow", "kind", "jobs"));
        assertNull(gauge("zktp.flink.checkpoint.age", "job", "j2"), "a job gone from a complete scan loses its series");
    }

    @Test
    void incompleteScansRemoveNothingAndFailedOnesChangeNothing() {
        meters.update(view(null, cluster("/flink/a", false, true, job("j1", 1L)), cluster("/flink/b", true, false)),
                TOOK, 20, 50);
        meters.update(view("more than 10 nodes", cluster("/flink/b", false, false)), TOOK, 20, 50);
        assertEquals(0, gauge("zktp.flink.leader.present", "cluster", "/flink/b"), "what it read is updated");
        assertEquals(0, gauge("zktp.flink.leader.present", "cluster", "/flink/a"), "what it did not read stays");
        assertEquals(1, gauge("zktp.flink.orphaned.clusters"), "an incomplete view calls nothing orphaned");
        meters.failed(TOOK);
        assertEquals(1, registry.find("zktp.flink.scan").tags("outcome", "incomplete").timer().count());
        assertEquals(1, registry.find("zktp.flink.scan").tags("outcome", "failed").timer().count());
        assertEquals(3, meters.series());
        meters.update(view(null), TOOK, 20, 50);
        assertEquals(0, meters.series());
        assertEquals(0, gauge("zktp.flink.orphaned.clusters"));
    }

    @Test
    void closeRemovesEverySeriesOfTheTenant() {
        meters.update(view(null, cluster("/flink/a", true, false, job("j1", 1L))), TOOK, 20, 50);
        meters.failed(TOOK);
        meters.close();
        assertEquals(List.of(), registry.getMeters());
    }
}
