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
import io.zktenantproxy.proxy.tls.TestCa;
import io.zktenantproxy.proxy.tls.TlsClients;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates replaced under a running proxy, the way Kubernetes replaces a mounted Secret: the files are symlinks
 * through {@code ..data} into a timestamped folder, and an update writes a new folder and swaps the {@code ..data}
 * link. New handshakes present the new certificate, the session that was open goes on without noticing, and files
 * that do not belong together (a key of another certificate) are refused while the old certificate stays in use.
 */
class CertificateRotationIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int RELOAD_CHECK_MS = 200;

    @TempDir
    Path dir;
    private TestingServer upstream;
    private ProxyServer proxy;
    private TestCa ca;
    private int generation;

    @BeforeEach
    void start() throws Exception {
        upstream = Upstreams.server();
        ca = TestCa.create("tenants CA");
        ca.writeCertPem(dir.resolve("ca.pem"));
        IssuedCert first = ca.issue(CertSpec.server());
        publish(first, first);
        Files.createSymbolicLink(dir.resolve("tls.crt"), Path.of("..data/tls.crt"));
        Files.createSymbolicLink(dir.resolve("tls.key"), Path.of("..data/tls.key"));
        proxy = ProxyServer.start(ProxyConfig.forUpstream(upstream.getConnectString())
                .withTls(TlsConfig.of(dir.resolve("tls.crt").toString(), dir.resolve("tls.key").toString())
                        .withTimings(TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT_MS, RELOAD_CHECK_MS))
                .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:0")));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    /**
     * Writes a new timestamped folder with {@code cert}'s chain and {@code keyOf}'s key and swaps {@code ..data} to it,
     * as the kubelet does.
     */
    private void publish(IssuedCert cert, IssuedCert keyOf) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("..2026_12_02_" + (++generation)));
        Files.move(cert.writePem(folder, "new").cert(), folder.resolve("tls.crt"));
        Files.move(keyOf.writePem(folder, "key").key(), folder.resolve("tls.key"));
        KubeletMount.swapDataTo(dir, folder);
    }

    @Test
    void newHandshakesGetTheNewCertificateAndTheOpenSessionGoesOn() throws Exception {
        InetSocketAddress acme = proxy.address("acme");
        BigInteger first = TlsProbe.serverCertificate(acme, ca.certificate()).getSerialNumber();
        List<Watcher.Event.KeeperState> states = new CopyOnWriteArrayList<>();
        try (ZooKeeper open = TlsClients.connect("localhost:" + acme.getPort(),
                TlsClients.zkClientConfig(dir.resolve("ca.pem"), null))) {
            open.register(event -> states.add(event.getState()));
            long session = open.getSessionId();
            open.create("/before", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);

            IssuedCert next = ca.issue(CertSpec.server());
            publish(next, next);
            await().atMost(WAIT).until(() -> TlsProbe.serverCertificate(acme, ca.certificate()).getSerialNumber()
                    .equals(next.certificate().getSerialNumber()));
            assertThat(next.certificate().getSerialNumber()).isNotEqualTo(first);

            open.create("/after", "same session".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            assertThat(open.getSessionId()).isEqualTo(session);
            assertThat(states).as("events of the session open across the rotation").isEmpty();
            await().atMost(WAIT).until(() -> reloads("applied") >= 1); // counted just after the swap

            // a certificate with another certificate's key: refused, the one in use stays
            publish(ca.issue(CertSpec.server()), ca.issue(CertSpec.server()));
            await().atMost(WAIT).until(() -> reloads("refused") >= 1);
            assertThat(TlsProbe.serverCertificate(acme, ca.certificate()).getSerialNumber())
                    .isEqualTo(next.certificate().getSerialNumber());
            assertThat(open.exists("/after", false)).isNotNull();
        }
    }

    private double reloads(String outcome) {
        Counter c = proxy.metrics().registry().find(MeterNames.TLS_RELOADS).tag(MeterNames.SIDE, "listeners")
                .tag(MeterNames.OUTCOME, outcome).counter();
        return c == null ? 0 : c.count();
    }
}
