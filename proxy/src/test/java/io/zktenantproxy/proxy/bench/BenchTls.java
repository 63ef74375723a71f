package io.zktenantproxy.proxy.bench;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.IssuedCert;
import io.zktenantproxy.proxy.tls.TestCa;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS of {@code LoadBench --tls} (issue 14): a test CA made when the bench starts (its key stays in memory), one
 * server certificate ({@link CertSpec#server()}: DNS {@code localhost}, IP {@code 127.0.0.1}) for ZooKeeper's
 * {@code secureClientPort} and for the proxy's tenant listener, written into a folder of the bench's temporary
 * directory; the JVM options that make a ZooKeeper child serve TLS, the proxy's YAML, and the bench clients' context.
 *
 * <p>No client certificates: ZooKeeper runs with {@code ssl.clientAuth=none} and the proxy's listener asks for none
 * (no {@code clientCa}), so no upstream secret is needed. Hostname verification stays on everywhere: the proxy dials
 * ZooKeeper as {@code localhost}, the bench clients dial {@code 127.0.0.1}.
 *
 * <p>Files in the folder ({@link BenchServer} reads them by these names): {@value #CA} (the CA certificate),
 * {@value #SERVER_CERT} and {@value #SERVER_KEY} (chain and PKCS#8 key, the proxy's listener), {@value #ZK_KEY_STORE}
 * (key then chain, ZooKeeper's PEM key store).
 */
final class BenchTls {
    static final String CA = "ca.pem";
    static final String SERVER_CERT = "server-cert.pem";
    static final String SERVER_KEY = "server-key.pem";
    static final String ZK_KEY_STORE = "zookeeper.pem";

    private final Path dir;
    private final TestCa ca;
    private final IssuedCert server;

    private BenchTls(Path dir, TestCa ca, IssuedCert server) {
        this.dir = dir;
        this.ca = ca;
        this.server = server;
    }

    /** Makes the CA and the server certificate and writes the files into {@code dir}, which must exist. */
    static BenchTls create(Path dir) throws IOException {
        TestCa ca = TestCa.create("zktp-bench-ca");
        IssuedCert server = ca.issue(CertSpec.server());
        ca.writeCertPem(dir.resolve(CA));
        server.writePem(dir, "server"); // server-cert.pem, server-key.pem
        server.writeCombinedPem(dir.resolve(ZK_KEY_STORE));
        return new BenchTls(dir, ca, server);
    }

    /** @return the CA that issued the server certificate */
    TestCa ca() {
        return ca;
    }

    /** @return the server certificate of ZooKeeper and the proxy */
    IssuedCert server() {
        return server;
    }

    /** @return the folder of the files, as {@link BenchServer} takes it */
    Path dir() {
        return dir;
    }

    /**
     * @return the JVM options of a ZooKeeper child that serves TLS on its {@code secureClientPort}: the Netty
     *     connection factory (the only one that speaks TLS), the PEM key and trust stores, no client certificate
     */
    List<String> zooKeeperJvmArgs() {
        return List.of("-Dzookeeper.serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory",
                "-Dzookeeper.ssl.keyStore.location=" + dir.resolve(ZK_KEY_STORE),
                "-Dzookeeper.ssl.keyStore.type=PEM",
                "-Dzookeeper.ssl.trustStore.location=" + dir.resolve(CA),
                "-Dzookeeper.ssl.trustStore.type=PEM",
                "-Dzookeeper.ssl.clientAuth=none");
    }

    /** @return the inside of the YAML {@code upstream} mapping's {@code tls}: trust the bench CA */
    static String upstreamTlsYaml(Path dir) {
        return "{ca: '" + dir.resolve(CA) + "'}";
    }

    /** @return the YAML {@code tls} line of the proxy: every tenant listener TLS, with {@code provider} */
    static String listenerTlsYaml(Path dir, String provider) {
        return "tls: {cert: '" + dir.resolve(SERVER_CERT) + "', key: '" + dir.resolve(SERVER_KEY) + "', provider: "
                + provider + "}\n";
    }

    /**
     * The bench clients' TLS, the same for direct and proxied sessions: OpenSSL where it loads (else the JDK),
     * trusting the bench CA, hostname verification on. The client keeps no session cache (OpenSSL), so that every
     * connection makes a full handshake, as a new client process would; with the JDK provider its sessions may resume.
     */
    SslContext clientContext() throws SSLException {
        SslContext context = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .trustManager(ca.certificate())
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
        if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
            openSsl.setSessionCacheEnabled(false);
        }
        return context;
    }

    /** @return which provider {@link #clientContext()} uses, for the report */
    static String clientProvider() {
        return OpenSsl.isAvailable() ? "openssl (" + OpenSsl.versionString() + ")" : "jdk";
    }
}
