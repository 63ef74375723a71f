package io.zktenantproxy.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import io.zktenantproxy.proxy.metrics.MeterNames;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.PemFiles;
import io.zktenantproxy.proxy.tls.SecureZooKeeper;
import io.zktenantproxy.proxy.tls.TestCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ClientInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy reaching a real ZooKeeper's {@code secureClientPort} (curator-test server with the Netty connection
 * factory): with the proxy's client certificate ({@code ssl.clientAuth=need}), whose {@code x509:} identity a tenant
 * never sees in {@code whoAmI}; without one ({@code ssl.clientAuth=none}); and a server certificate that does not name
 * the host the proxy dialled, refused (hostname verification on by default), until verification is turned off.
 */
class UpstreamTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private SecureZooKeeper ensemble;
    private ProxyServer proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (ensemble != null) {
            ensemble.close();
        }
    }

    private ProxyServer start(String upstream, UpstreamTlsConfig tls, Path secret) {
        ProxyConfig config = ProxyConfig.forUpstream(upstream).withUpstreamTls(tls)
                .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:0"));
        proxy = ProxyServer.start(secret == null ? config : config.withSecretFile(secret.toString()));
        return proxy;
    }

    @Test
    void proxyWithItsClientCertificateServesTenantsAndHidesItsX509Identity() throws Exception {
        TestCa zkCa = TestCa.create("ensemble CA");
        TestCa proxyCa = TestCa.create("platform CA");
        ensemble = SecureZooKeeper.start(zkCa, zkCa.issue(CertSpec.server()), proxyCa, true,
                Files.createDirectory(dir.resolve("zk")));
        PemFiles proxyCert = proxyCa.issue(CertSpec.client("zk-tenant-proxy")).writePem(dir, "proxy");
        start(ensemble.secureConnectString(), UpstreamTlsConfig.trusting(ensemble.serverCaPem().toString())
                .withClientCertificate(proxyCert.cert().toString(), proxyCert.key().toString()), TestSecret.file(1));
        await().atMost(WAIT).until(proxy::ready); // the proxy's own client reached the ensemble over TLS

        try (ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), null)) {
            zk.create("/both-hops", "tls".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            assertThat(zk.getData("/both-hops", false, null)).isEqualTo("tls".getBytes(StandardCharsets.UTF_8));
            assertThat(zk.whoAmI()).extracting(ClientInfo::getAuthScheme).as("whoAmI through the proxy")
                    .doesNotContain("x509");
        }
        assertThat(proxy.tls().upstreamProvider()).isNotNull();
    }

    @Test
    void proxyWithoutAClientCertificateOnAnEnsembleThatAsksForNone() throws Exception {
        TestCa zkCa = TestCa.create("ensemble CA");
        ensemble = SecureZooKeeper.start(zkCa, zkCa.issue(CertSpec.server()), null, false,
                Files.createDirectory(dir.resolve("zk")));
        start(ensemble.secureConnectString("127.0.0.1"),
                UpstreamTlsConfig.trusting(ensemble.serverCaPem().toString()), null);
        try (ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), null)) {
            zk.create("/one-hop", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        await().atMost(WAIT).until(proxy::ready);
    }

    @Test
    void serverCertificateThatDoesNotNameTheHostIsRefusedUnlessVerificationIsOff() throws Exception {
        TestCa zkCa = TestCa.create("ensemble CA");
        ensemble = SecureZooKeeper.start(zkCa, zkCa.issue(CertSpec.server().withCn("elsewhere.example")
                .withDns("elsewhere.example").withIp()), null, false, Files.createDirectory(dir.resolve("zk")));
        String upstream = ensemble.secureConnectString("127.0.0.1");
        start(upstream, UpstreamTlsConfig.trusting(ensemble.serverCaPem().toString()), null);
        try (ZooKeeper client = new ZooKeeper(ProxyHarness.connectString(proxy, "acme"), 30_000, event -> { })) {
            await().atMost(WAIT).until(() -> connectFailures(upstream) >= 1
                    && closed("upstream_unavailable") >= 1);
            assertThat(client.getState().isConnected()).isFalse();
        }
        assertThat(proxy.ready()).as("ready: the proxy's own client cannot reach the ensemble either").isFalse();
        proxy.close();

        start(upstream, UpstreamTlsConfig.trusting(ensemble.serverCaPem().toString())
                .withHostnameVerification(false), null);
        try (ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), null)) {
            zk.create("/unverified", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
    }

    private double connectFailures(String server) {
        Counter c = proxy.metrics().registry().find(MeterNames.UPSTREAM_CONNECT_FAILURES)
                .tag(MeterNames.SERVER, server).counter();
        return c == null ? 0 : c.count();
    }

    private double closed(String reason) {
        return proxy.metrics().registry().find(MeterNames.CONNECTIONS_CLOSED).tag(MeterNames.TENANT, "acme")
                .tag(MeterNames.REASON, reason).counters().stream().mapToDouble(Counter::count).sum();
    }
}
