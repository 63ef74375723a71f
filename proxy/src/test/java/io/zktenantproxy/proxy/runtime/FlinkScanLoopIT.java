package io.zktenantproxy.proxy.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zktenantproxy.proxy.admin.Closing;
import io.zktenantproxy.proxy.config.FlinkConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.FlinkHaCluster;
import io.zktenantproxy.proxy.it.Upstreams;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * The periodic Flink scan of a real proxy ({@link ProxyRuntime}) over a real ZooKeeper, every 200 ms: the gauges of
 * a Flink-like cluster appear, the checkpoint age rises and falls back when a checkpoint completes, leader-present
 * drops to 0 when the latch znode goes, and every series of the cluster goes when its znodes are deleted.
 */
class FlinkScanLoopIT {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String TENANT = "acme";
    private static final String CLUSTER = "/flink/fraud";

    private static Double gauge(MeterRegistry registry, String name, String... tags) {
        Gauge g = registry.find(name).tags(tags).gauge();
        return g == null ? null : g.value();
    }

    private static Double age(MeterRegistry registry) {
        return gauge(registry, "zktp.flink.checkpoint.age", "tenant", TENANT, "cluster", CLUSTER, "job",
                FlinkHaCluster.JOB);
    }

    @Test
    void gaugesFollowTheClusterAndGoWithIt() throws Exception {
        TestingServer zk = Upstreams.server();
        ProxyRuntime runtime = null;
        CuratorFramework tenant = null;
        FlinkHaCluster cluster = null;
        try {
            runtime = ProxyRuntime.start(ProxyConfig.forUpstream(zk.getConnectString())
                    .withTenants(TenantConfig.named(TENANT).withListen("127.0.0.1:0"))
                    .withFlink(FlinkConfig.defaults().withScanIntervalMs(200)), null);
            MeterRegistry registry = runtime.proxy().metrics().registry();
            tenant = CuratorFrameworkFactory.builder().connectString(zk.getConnectString())
                    .namespace("tenants/" + TENANT).retryPolicy(new RetryOneTime(100)).ensembleTracker(false).build();
            tenant.start();
            cluster = FlinkHaCluster.create(tenant, CLUSTER, 7);

            await().atMost(DEADLINE).until(() -> Double.valueOf(1).equals(gauge(registry,
                    "zktp.flink.leader.present", "tenant", TENANT, "cluster", CLUSTER)));
            assertEquals(1, gauge(registry, "zktp.flink.jobs", "tenant", TENANT, "cluster", CLUSTER));
            assertEquals(0, gauge(registry, "zktp.flink.orphaned.clusters", "tenant", TENANT));
            assertEquals(0, gauge(registry, "zktp.flink.overflow", "tenant", TENANT, "kind", "clusters"));
            await().atMost(DEADLINE).until(() -> age(registry) != null);
            String scrape = runtime.proxy().metrics().scrape();
            assertTrue(scrape.contains("zktp_flink_checkpoint_age_seconds{cluster=\"/flink/fraud\",job=\""
                    + FlinkHaCluster.JOB + "\",tenant=\"acme\"}"), scrape);
            assertTrue(scrape.contains("zktp_flink_scan_seconds_count{outcome=\"ok\",tenant=\"acme\"}"), scrape);

            double first = age(registry);
            await().atMost(DEADLINE).until(() -> age(registry) >= first + 0.5);
            double risen = age(registry);
            cluster.checkpoint(8);
            await().atMost(DEADLINE).until(() -> age(registry) < risen);

            cluster.loseLeader();
            await().atMost(DEADLINE).until(() -> Double.valueOf(0).equals(gauge(registry,
                    "zktp.flink.leader.present", "tenant", TENANT, "cluster", CLUSTER)));

            cluster.delete();
            await().atMost(DEADLINE).until(() -> registry.find("zktp.flink.leader.present").tag("tenant", TENANT)
                    .gauge() == null && registry.find("zktp.flink.jobs").gauge() == null && age(registry) == null);
            Timer ok = registry.find("zktp.flink.scan").tags("tenant", TENANT, "outcome", "ok").timer();
            assertTrue(ok != null && ok.count() >= 4, String.valueOf(ok));
        } finally {
            Closing.all(cluster, tenant, runtime, zk);
        }
        assertEquals(null, runtime.proxy().metrics().registry().find("zktp.flink.orphaned.clusters").gauge(),
                "closing the runtime removes the tenant's series");
    }
}
