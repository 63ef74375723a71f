package io.zktenantproxy.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.TlsConfig;
import io.zktenantproxy.proxy.metrics.MeterNames;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.IssuedCert;
import io.zktenantproxy.proxy.tls.PemFiles;
import io.zktenantproxy.proxy.tls.TestCa;
import io.zktenantproxy.proxy.tls.TlsClients;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tenant listeners over TLS, on both TLS implementations (OpenSSL through netty-tcnative, and the JDK's): real
 * ZooKeeper Java clients and Curator recipes over TLS; a tenant's own listener with mutual TLS; the shared listener
 * telling three tenants apart by their certificates only; and every refusal (no client certificate, another CA,
 * expired, naming no tenant or two, another tenant's certificate, plain text on a TLS listener, TLS on a plain
 * listener, a handshake that never finishes) closing the connection with its metric and nothing forwarded.
 */
class TlsListenerIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int HANDSHAKE_TIMEOUT_MS = 1_500;

    @TempDir
    static Path dir;
    private static TestingServer upstream;
    private static ZooKeeper upstreamClient;
    private static TestCa ca;
    private static Path caPem;
    private static PemFiles serverFiles;
    private static Path acmeKeyStore;
    private static Path globexKeyStore;
    private ProxyServer proxy;

    @BeforeAll
    static void pki() throws Exception {
        upstream = Upstreams.server();
        upstreamClient = ProxyHarness.upstream(upstream.getConnectString());
        ca = TestCa.create("tenants CA");
        caPem = ca.writeCertPem(dir.resolve("ca.pem"));
        serverFiles = ca.issue(CertSpec.server()).writePem(dir, "proxy");
        acmeKeyStore = ca.issue(CertSpec.client("acme")).writeCombinedPem(dir.resolve("acme.pem"));
        globexKeyStore = ca.issue(CertSpec.client("globex").rsa()).writeCombinedPem(dir.resolve("globex.pem"));
    }

    @AfterAll
    static void stopUpstream() throws Exception {
        upstreamClient.close();
        upstream.close();
    }

    @AfterEach
    void stopProxy() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static TlsConfig tls(String provider) {
        return TlsConfig.of(serverFiles.cert().toString(), serverFiles.key().toString()).withProvider(provider)
                .withTimings(HANDSHAKE_TIMEOUT_MS, TlsConfig.DEFAULT_RELOAD_CHECK_MS);
    }

    private ProxyServer start(TlsConfig tls, TenantConfig... tenants) {
        proxy = ProxyServer.start(ProxyHarness.secretWhenOn(ProxyConfig.forUpstream(upstream.getConnectString())
                .withTls(tls).withTenants(tenants)));
        return proxy;
    }

    private static String localhost(InetSocketAddress address) {
        return "localhost:" + address.getPort();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void zooKeeperClientAndCuratorRecipesOverTlsOnATenantsOwnListener(String provider) throws Exception {
        start(tls(provider), TenantConfig.named("acme").withListen("127.0.0.1:0"));
        assertThat(proxy.tls().listenerProvider()).startsWith(provider);
        String connect = localhost(proxy.address("acme"));
        try (ZooKeeper zk = TlsClients.connect(connect, TlsClients.zkClientConfig(caPem, null))) {
            zk.create("/over-tls-" + provider, "encrypted".getBytes(StandardCharsets.UTF_8),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            assertThat(new String(zk.getData("/over-tls-" + provider, false, null), StandardCharsets.UTF_8))
                    .isEqualTo("encrypted");
        }
        assertThat(upstreamClient.exists("/tenants/acme/over-tls-" + provider, false)).isNotNull();

        try (CuratorFramework curator = CuratorFrameworkFactory.builder().connectString(connect)
                .retryPolicy(new RetryOneTime(100)).zkClientConfig(TlsClients.zkClientConfig(caPem, null))
                .build()) {
            curator.start();
            InterProcessMutex mutex = new InterProcessMutex(curator, "/locks/" + provider);
            assertThat(mutex.acquire(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            try (LeaderLatch latch = new LeaderLatch(curator, "/leader/" + provider)) {
                latch.start();
                assertThat(latch.await(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
            mutex.release();
        }
        assertThat(upstreamClient.exists("/tenants/acme/locks/" + provider, false)).isNotNull();
        assertThat(handshakes("acme", "ok")).isGreaterThanOrEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void mutualTlsOnATenantsOwnListenerTakesOnlyThatTenantsCertificate(String provider) throws Exception {
        TestCa otherCa = TestCa.create("some other CA");
        start(tls(provider).withClientCa(caPem.toString()),
                TenantConfig.named("acme").withListen("127.0.0.1:0"),
                TenantConfig.named("globex").withListen("127.0.0.1:0").withTls(false));
        InetSocketAddress acme = proxy.address("acme");
        try (ZooKeeper zk = TlsClients.connect(localhost(acme), TlsClients.zkClientConfig(caPem, acmeKeyStore))) {
            zk.create("/mutual-" + provider, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        assertThat(upstreamClient.exists("/tenants/acme/mutual-" + provider, false)).isNotNull();

        IssuedCert acmeCert = ca.issue(CertSpec.client("acme"));
        for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
            assertThat(TlsProbe.connect(acme, acmeCert, ca.certificate(), protocol)).as(protocol)
                    .isEqualTo(TlsProbe.Seen.ANSWERED);
        }
        assertRefused(acme, null, "acme", "no_client_certificate");
        assertRefused(acme, otherCa.issue(CertSpec.client("acme")), "acme", "untrusted_certificate");
        Instant past = Instant.now().minus(Duration.ofDays(2));
        assertRefused(acme, ca.issue(CertSpec.client("acme").withValidity(past, past.plus(Duration.ofDays(1)))),
                "acme", "expired_certificate");
        assertRefused(acme, ca.issue(CertSpec.client("nobody")), "acme", "no_tenant");
        assertRefused(acme, ca.issue(CertSpec.client("globex")), "acme", "other_tenant");
        assertRefused(acme, ca.issue(CertSpec.client("acme").withDns("globex")), "acme", "two_tenants");

        // plain ZooKeeper on the TLS listener, and a handshake that never finishes
        try (Socket plain = TlsProbe.silent(acme)) {
            plain.getOutputStream().write(io.zktenantproxy.protocol.testkit.JuteFrames.connectRequest());
            assertThat(TlsProbe.closedByPeer(plain)).as("plain text on a TLS listener closed").isTrue();
        }
        await().atMost(WAIT).until(() -> handshakes("acme", "not_tls") == 1);
        try (Socket silent = TlsProbe.silent(acme)) {
            assertThat(TlsProbe.closedByPeer(silent)).as("a silent client closed at the handshake timeout").isTrue();
        }
        await().atMost(WAIT).until(() -> handshakes("acme", "handshake_timeout") == 1);

        // a TLS client on a plain listener
        assertThat(TlsProbe.connect(proxy.address("globex"), ca.issue(CertSpec.client("globex")),
                ca.certificate())).isEqualTo(TlsProbe.Seen.REFUSED);
        await().atMost(WAIT).until(() -> closed("globex", "tls_on_plain_listener") == 1);

        await().atMost(WAIT).until(() -> closed("acme", null) == 3);
        assertThat(closed("acme", null)).as("connections of acme that got as far as the ZooKeeper handlers: the "
                + "ZooKeeper client's and the two probes'").isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void sharedListenerTellsThreeTenantsApartByTheirCertificatesOnly(String provider) throws Exception {
        start(tls(provider).withClientCa(caPem.toString()).withListen("127.0.0.1:0")
                        .withClientIdentity("uri:spiffe://platform/ns/{tenant}/sa/*"),
                TenantConfig.named("acme"), TenantConfig.named("globex"),
                TenantConfig.named("initech").withClientIdentities(List.of("dns:flink.initech.example")));
        InetSocketAddress shared = proxy.address("shared");
        List<IssuedCert> certs = List.of(
                ca.issue(CertSpec.client("flink").withUri("spiffe://platform/ns/acme/sa/flink")),
                ca.issue(CertSpec.client("flink").withUri("spiffe://platform/ns/globex/sa/jobmanager")),
                ca.issue(CertSpec.client("flink").withDns("flink.initech.example")));
        List<String> names = List.of("acme", "globex", "initech");
        for (int i = 0; i < certs.size(); i++) {
            Path keyStore = certs.get(i).writeCombinedPem(dir.resolve(provider + "-shared-" + i + ".pem"));
            try (ZooKeeper zk = TlsClients.connect(localhost(shared), TlsClients.zkClientConfig(caPem, keyStore))) {
                zk.create("/who-" + provider, names.get(i).getBytes(StandardCharsets.UTF_8),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
        }
        for (String name : names) {
            assertThat(new String(upstreamClient.getData("/tenants/" + name + "/who-" + provider, false, null),
                    StandardCharsets.UTF_8)).as("who wrote %s's /who", name).isEqualTo(name);
        }
        assertThat(handshakes("shared", "ok")).isEqualTo(3);

        assertRefused(shared, ca.issue(CertSpec.client("flink").withUri("spiffe://platform/ns/umbrella/sa/flink")),
                "shared", "no_tenant");
        assertRefused(shared, ca.issue(CertSpec.client("flink").withUri("spiffe://platform/ns/acme/sa/flink")
                .withDns("flink.initech.example")), "shared", "two_tenants");
        assertRefused(shared, ca.issue(CertSpec.client("acme")), "shared", "no_tenant");
        assertRefused(shared, null, "shared", "no_client_certificate");
    }

    private void assertRefused(InetSocketAddress listener, IssuedCert client, String name, String outcome)
            throws Exception {
        double before = handshakes(name, outcome);
        assertThat(TlsProbe.connect(listener, client, ca.certificate())).as("%s on listener %s", outcome, name)
                .isEqualTo(TlsProbe.Seen.REFUSED);
        await().atMost(WAIT).until(() -> handshakes(name, outcome) == before + 1);
    }

    private double handshakes(String listener, String outcome) {
        Counter c = proxy.metrics().registry().find(MeterNames.TLS_HANDSHAKES).tag(MeterNames.LISTENER, listener)
                .tag(MeterNames.OUTCOME, outcome).counter();
        return c == null ? 0 : c.count();
    }

    /** @return connections of {@code tenant} closed for {@code reason} (null: for any reason) */
    private double closed(String tenant, String reason) {
        var search = proxy.metrics().registry().find(MeterNames.CONNECTIONS_CLOSED).tag(MeterNames.TENANT, tenant);
        if (reason != null) {
            search = search.tag(MeterNames.REASON, reason);
        }
        return search.counters().stream().mapToDouble(Counter::count).sum();
    }
}
