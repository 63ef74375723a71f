package io.zktenantproxy.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.TlsConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.IssuedCert;
import io.zktenantproxy.proxy.tls.PemFiles;
import io.zktenantproxy.proxy.tls.TestCa;
import io.zktenantproxy.proxy.tls.TlsClients;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload adds a tenant reached only through the shared TLS listener, where the client certificate decides the
 * tenant: before it, that tenant's certificate is refused in the handshake ({@code no_tenant}); after it, the same
 * certificate is accepted and its client lands in the new tenant's chroot, while the tenant that was there goes on.
 */
class SharedTlsReloadIT {
    @TempDir
    Path dir;

    @Test
    void aTenantAddedByAReloadIsKnownByItsCertificateAtTheNextHandshake() throws Exception {
        TestCa ca = TestCa.create("tenants CA");
        Path caPem = ca.writeCertPem(dir.resolve("ca.pem"));
        PemFiles serverFiles = ca.issue(CertSpec.server()).writePem(dir, "proxy");
        IssuedCert globex = ca.issue(CertSpec.client("globex"));
        Path acmeKeyStore = ca.issue(CertSpec.client("acme")).writeCombinedPem(dir.resolve("acme.pem"));
        Path globexKeyStore = globex.writeCombinedPem(dir.resolve("globex.pem"));
        TlsConfig tls = TlsConfig.of(serverFiles.cert().toString(), serverFiles.key().toString())
                .withClientCa(caPem.toString()).withListen("127.0.0.1:0");
        try (TestingServer upstream = Upstreams.server()) {
            ProxyConfig before = ProxyHarness.secretWhenOn(ProxyConfig.forUpstream(upstream.getConnectString())
                    .withTls(tls).withTenants(TenantConfig.named("acme")));
            try (ProxyServer proxy = ProxyServer.start(before)) {
                await().atMost(Duration.ofSeconds(60)).until(proxy::ready);
                InetSocketAddress shared = proxy.address("shared");
                String connect = "localhost:" + shared.getPort();
                try (ZooKeeper acme = TlsClients.connect(connect, TlsClients.zkClientConfig(caPem, acmeKeyStore))) {
                    assertThat(TlsProbe.connect(shared, globex, ca.certificate())).isEqualTo(TlsProbe.Seen.REFUSED);

                    ProxyConfig after = before.withTenants(TenantConfig.named("acme"), TenantConfig.named("globex"));
                    assertThat(proxy.reload(after).outcome()).isEqualTo("applied");

                    try (ZooKeeper g = TlsClients.connect(connect,
                            TlsClients.zkClientConfig(caPem, globexKeyStore))) {
                        g.create("/hello", "g".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                CreateMode.PERSISTENT);
                    }
                    acme.create("/still", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    try (ZooKeeper direct = ProxyHarness.upstream(upstream.getConnectString())) {
                        assertThat(direct.exists("/tenants/globex/hello", false)).isNotNull();
                        assertThat(direct.exists("/tenants/acme/still", false)).isNotNull();
                    }
                }
            }
        }
    }
}
