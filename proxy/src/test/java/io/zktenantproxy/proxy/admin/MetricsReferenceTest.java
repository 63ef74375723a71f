package io.zktenantproxy.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.proxy.flink.CheckpointPointer;
import io.zktenantproxy.proxy.flink.FlinkCluster;
import io.zktenantproxy.proxy.flink.FlinkJob;
import io.zktenantproxy.proxy.flink.FlinkMeters;
import io.zktenantproxy.proxy.flink.FlinkView;
import io.zktenantproxy.proxy.flink.HaLayout;
import io.zktenantproxy.proxy.metrics.CloseReason;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metrics reference ({@code docs/METRICS.md}) and the Grafana dashboard ({@code config/grafana-dashboard.json})
 * name exactly the meters the proxy publishes; the alert rules ({@code config/prometheus-rules.yaml}) name no other.
 */
class MetricsReferenceTest {
    private static final Pattern ZKTP = Pattern.compile("zktp_[a-z_]+");
    private static final Pattern SERIES_SUFFIX = Pattern.compile("(.+)_(bucket|count|sum|max)");
    private static final Pattern COMPOSITE_TYPE = Pattern.compile("# TYPE (zktp_[a-z_]+) (histogram|summary)");
    private static final Path ROOT = Path.of("..");

    /** @return a scrape once each kind of meter has moved */
    private static String scrape() {
        ProxyMetrics metrics = ProxyMetrics.prometheus(Duration.ofMillis(100));
        TenantMeters t = metrics.tenant("acme");
        t.upstreamReply(OpCode.CREATE, KeeperCode.OK, 1);
        t.answeredByProxy(OpCode.DELETE, KeeperCode.BAD_ARGUMENTS);
        t.connectionClosed(CloseReason.CLIENT_CLOSED);
        t.quota().gauges(() -> 1, () -> 1024, 10, 10_240, 5);
        t.quota().exceeded(QuotaKind.ZNODES);
        metrics.upstreamConnectFailed("zk:2181");
        metrics.tlsHandshake("shared", "ok");
        metrics.tlsReload("listeners", true);
        metrics.configReload("applied");
        metrics.readiness(() -> true);
        metrics.listener("acme").inProgress(1);
        metrics.listener("acme").shed();
        FlinkMeters flink = new FlinkMeters(metrics.registry(), "acme");
        FlinkJob job = new FlinkJob("4f1c3a5e9b2d4c6e8a0b1c2d3e4f5a6b", null,
                new CheckpointPointer("/flink/a/jobs/4f1c3a5e9b2d4c6e8a0b1c2d3e4f5a6b/checkpoints/1", 1, 0, List.of()),
                1, 2L, 0L, null);
        flink.update(new FlinkView(0, List.of("/flink"), List.of(new FlinkCluster("/flink/a", "/flink", "a",
                HaLayout.FLINK_2_0, true, List.of(), List.of(job), List.of(), 1, 0L, null, false, List.of(),
                List.of())), 9, null), Duration.ofMillis(1), 20, 50);
        flink.failed(Duration.ofMillis(1));
        return metrics.scrape();
    }

    /** @return the histogram and summary families of {@code scrape}, whose series add a suffix to the name */
    private static Set<String> composite(String scrape) {
        Set<String> names = new TreeSet<>();
        Matcher m = COMPOSITE_TYPE.matcher(scrape);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * @return the family {@code name} belongs to: itself, or for {@code _bucket}, {@code _count}, {@code _sum} and
     *     {@code _max} series the histogram or summary it is part of ({@code zktp_watches_held_max} is a family)
     */
    private static String family(String name, Set<String> composite) {
        Matcher m = SERIES_SUFFIX.matcher(name);
        return m.matches() && composite.contains(m.group(1)) ? m.group(1) : name;
    }

    /** @return every zktp_ family a scrape shows once each kind of meter has moved */
    private static Set<String> published() {
        String scrape = scrape();
        Set<String> composite = composite(scrape);
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            Matcher m = ZKTP.matcher(line);
            if (!line.startsWith("#") && m.lookingAt()) {
                names.add(family(m.group(), composite));
            }
        }
        return names;
    }

    private static Set<String> mentioned(String text) {
        Set<String> composite = composite(scrape());
        Set<String> names = new TreeSet<>();
        Matcher m = ZKTP.matcher(text);
        while (m.find()) {
            names.add(family(m.group(), composite));
        }
        return names;
    }

    @Test
    void theReferenceDocumentsEveryMeterAndNoOther() throws Exception {
        Set<String> published = published();
        assertEquals(33, published.size(), published.toString());
        assertTrue(published.containsAll(Set.of("zktp_quota_used", "zktp_quota_limit", "zktp_quota_exceeded_total",
                "zktp_quota_waits_total", "zktp_watches_held", "zktp_watches_held_max", "zktp_flink_leader_present",
                "zktp_flink_jobs", "zktp_flink_checkpoint_age_seconds", "zktp_flink_orphaned_clusters",
                "zktp_flink_overflow", "zktp_flink_scan_seconds")), published.toString());
        assertEquals(published, mentioned(Files.readString(ROOT.resolve("docs/METRICS.md"))));
    }

    @Test
    void theDashboardIsValidJsonAndQueriesOnlyPublishedMeters() throws Exception {
        String text = Files.readString(ROOT.resolve("config/grafana-dashboard.json"));
        JsonNode dashboard = new ObjectMapper().readTree(text);
        assertEquals("zk-tenant-proxy", dashboard.get("title").asText());
        Set<String> used = mentioned(text);
        Set<String> published = published();
        assertTrue(published.containsAll(used), "unknown meters in the dashboard: " + used);
        assertTrue(used.containsAll(published), "meters without a panel: " + published);
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                assertTrue(target.get("expr").asText().length() > 0, panel.get("title").asText());
            }
        }
    }

    @Test
    void theAlertRulesParseAndQueryOnlyPublishedMeters() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory())
                .readTree(ROOT.resolve("config/prometheus-rules.yaml").toFile());
        Set<String> published = published();
        List<String> alerts = new ArrayList<>();
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String alert = rule.get("alert").asText();
                alerts.add(alert);
                String expr = rule.get("expr").asText();
                Set<String> used = mentioned(expr);
                assertTrue(!used.isEmpty() && published.containsAll(used), alert + ": " + used);
                assertTrue(rule.path("labels").path("severity").asText().matches("critical|warning|info"), alert);
                assertTrue(rule.path("annotations").path("summary").asText().length() > 0, alert);
            }
        }
        assertEquals(List.of("FlinkClusterWithoutLeader", "FlinkCheckpointsStopped", "FlinkOrphanedClusters",
                "FlinkScanFailing", "FlinkSeriesOverflow"), alerts);
    }
}
