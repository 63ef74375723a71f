package io.zktenantproxy.flinkha.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkZnodes;
import io.zktenantproxy.flinkha.harness.FlinkZooKeeperTls;
import io.zktenantproxy.flinkha.harness.JobManagerFailover;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.proxy.config.TlsConfig;
import io.zktenantproxy.proxy.metrics.MeterNames;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.PemFiles;
import io.zktenantproxy.proxy.tls.TestCa;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link JobManagerFailoverIT} with every ZooKeeper connection of Flink over mutual TLS: Flink's shaded ZooKeeper
 * client speaks TLS to the tenant's listener and shows a client certificate naming the tenant (CN = tenant, the
 * default rule); the proxy talks plain TCP to the ensemble. The listener takes nothing but TLS with a certificate of
 * the tenants' CA, so the failover working at all shows Flink spoke TLS; the handshake counter says so too.
 *
 * <p>Flink is configured as docs/FLINK.md says, with JVM system properties ({@link FlinkZooKeeperTls}), which in
 * production go into {@code env.java.opts.jobmanager}/{@code .taskmanager}. The MiniClusters run in this JVM, so the
 * test sets exactly these system properties and restores them afterwards (try-with-resources, a try/finally). It sets
 * them before anything else starts: the ensemble, the proxy's own client and the harness's clients then run in a JVM
 * that looks like a Flink process configured for TLS, and must stay plain (they set their client settings themselves,
 * see {@code PlainClients}). The proxy's server certificate names only its address, 127.0.0.1, as an IP SAN, the
 * address Flink's quorum lists: the shaded client verifies it as a host name, with SASL at its default (on).
 */
class TlsJobManagerFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(TlsJobManagerFailoverIT.class);
    private static final String TENANT = "acme";

    @TempDir
    Path work;

    @Test
    void standbyTakesOverWithEveryZooKeeperConnectionOverMutualTls() throws Exception {
        TestCa ca = TestCa.create("tenants CA");
        Path caPem = ca.writeCertPem(work.resolve("ca.pem"));
        PemFiles server = ca.issue(CertSpec.server().withCn("zk-tenant-proxy").withDns()).writePem(work, "proxy");
        Path clientKeyStore = ca.issue(CertSpec.client(TENANT)).writeCombinedPem(work.resolve(TENANT + ".pem"));
        TlsConfig tls = TlsConfig.of(server.cert().toString(), server.key().toString()).withClientCa(caPem.toString());

        Map<String, String> properties = FlinkZooKeeperTls.properties(caPem, clientKeyStore);
        Map<String, String> before = current(properties);
        LOG.info("env.java.opts.jobmanager / env.java.opts.taskmanager: {}", FlinkZooKeeperTls.javaOptions(properties));
        try (FlinkZooKeeperTls installed = FlinkZooKeeperTls.install(properties);
             ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(Proxies.tenant(TENANT, 0, List.of())),
                     tls)) {
            FlinkHa ha = FlinkHa.of(List.of(proxy.address(TENANT)), work);
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(proxy, TENANT));

            JobManagerFailover.Result result = JobManagerFailover.run(proxy, TENANT, tree, ha, "jm-failover-tls");

            // Two JobManagers, one Curator client each, each connection one handshake (more after reconnects).
            double ok = handshakes(proxy, "ok");
            double refused = proxy.metrics().registry().find(MeterNames.TLS_HANDSHAKES)
                    .tag(MeterNames.LISTENER, TENANT).counters().stream()
                    .filter(c -> !"ok".equals(c.getId().getTag(MeterNames.OUTCOME))).mapToDouble(Counter::count).sum();
            LOG.info("TLS handshakes on {}'s listener: {} ok, {} refused", TENANT, ok, refused);
            assertThat(ok).as("TLS handshakes ok on %s's listener", TENANT).isGreaterThanOrEqualTo(2);
            assertThat(refused).as("TLS handshakes refused on %s's listener", TENANT).isZero();

            // Flink's HA data went through the TLS listener into the tenant's chroot, and nowhere else.
            assertThat(znodes.chroot()).isEqualTo("/tenants/" + TENANT);
            assertThat(result.upstreamPaths()).contains(znodes.latch(), znodes.base() + "/jobs",
                    znodes.executionPlans());
            assertThat(result.upstreamPaths()).filteredOn(p -> p.contains(FlinkHa.PATH_ROOT))
                    .allSatisfy(p -> assertThat(p).startsWith(znodes.chroot() + FlinkHa.PATH_ROOT));
        }
        assertThat(current(properties)).as("system properties after the test").isEqualTo(before);
    }

    /** @return the JVM's values of {@code properties}' keys now, "(unset)" where there is none */
    private static Map<String, String> current(Map<String, String> properties) {
        Map<String, String> now = new TreeMap<>();
        properties.keySet().forEach(key -> now.put(key, System.getProperty(key, "(unset)")));
        return now;
    }

    private static double handshakes(ProxyServer proxy, String outcome) {
        Counter c = proxy.metrics().registry().find(MeterNames.TLS_HANDSHAKES).tag(MeterNames.LISTENER, TENANT)
                .tag(MeterNames.OUTCOME, outcome).counter();
        return c == null ? 0 : c.count();
    }
}
