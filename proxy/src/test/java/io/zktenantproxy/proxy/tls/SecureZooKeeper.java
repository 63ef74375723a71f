package io.zktenantproxy.proxy.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.server.ServerMetrics;
import org.apache.zookeeper.server.auth.ProviderRegistry;

/**
 * A real standalone ZooKeeper (curator-test {@link TestingServer}, in this JVM) that serves a plain client port and a
 * TLS {@code secureClientPort}, configured as the proxy's integration tests configure their upstreams (no
 * per-address connection limit, no admin server, TTL nodes, all four-letter words on the plain port).
 *
 * <p>Where ZooKeeper 3.9 reads what: {@code secureClientPort} is a {@code zoo.cfg} key (given as a custom property of
 * the {@link InstanceSpec}). The TLS settings are not: {@code NettyServerCnxnFactory} builds its SSL context for each
 * new connection from {@code new ZKConfig()}, that is from the system properties {@code zookeeper.ssl.*}, and so does
 * the {@code X509AuthenticationProvider} that checks client certificates ({@code zookeeper.authProvider.x509}); only
 * the Netty factory ({@code zookeeper.serverCnxnFactory}) serves TLS. (An unknown {@code zoo.cfg} key {@code k} is
 * copied to the system property {@code zookeeper.k}, so {@code ssl.*} in {@code zoo.cfg} would end up the same.)
 * These are JVM-wide: one SecureZooKeeper runs at a time in a JVM, and {@link #close()} puts back the values they had.
 *
 * <p>Files it writes into its work folder: {@code server.pem} (server key then chain, ZooKeeper's PEM key store),
 * {@code accepted-client-ca.pem} (the PEM trust store for client certificates), {@code server-ca.pem} (what clients
 * should trust, {@link #serverCaPem()}), and the data folder {@code zookeeper-data}.
 */
public final class SecureZooKeeper implements AutoCloseable {
    private static final AtomicBoolean RUNNING = new AtomicBoolean();
    private static final String NETTY_FACTORY = "org.apache.zookeeper.server.NettyServerCnxnFactory";
    private static final String X509_PROVIDER_PROPERTY = "zookeeper.authProvider.x509";
    private static final String X509_PROVIDER = "org.apache.zookeeper.server.auth.X509AuthenticationProvider";

    static {
        // What Upstreams sets for every test ZooKeeper, and like it for the whole JVM.
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        System.setProperty("zookeeper.4lw.commands.whitelist", "*");
    }

    private final TestingServer server;
    private final int securePort;
    private final Path serverCaPem;
    private final Map<String, String> replacedProperties;

    private SecureZooKeeper(TestingServer server, int securePort, Path serverCaPem,
            Map<String, String> replacedProperties) {
        this.server = server;
        this.securePort = securePort;
        this.serverCaPem = serverCaPem;
        this.replacedProperties = replacedProperties;
    }

    /**
     * Starts a ZooKeeper whose TLS port presents {@code serverCert} (issued by {@code serverCa}) and, when
     * {@code needClientAuth}, accepts only clients with a certificate issued by {@code acceptedClientCa}
     * ({@code ssl.clientAuth=need}); otherwise it asks for none ({@code ssl.clientAuth=none}).
     *
     * @param acceptedClientCa may be {@code null} when {@code needClientAuth} is false
     * @param workDir a folder of its own for this server's files
     * @throws IllegalStateException if another SecureZooKeeper is running in this JVM
     */
    public static SecureZooKeeper start(TestCa serverCa, IssuedCert serverCert, TestCa acceptedClientCa,
            boolean needClientAuth, Path workDir) throws Exception {
        if (needClientAuth && acceptedClientCa == null) {
            throw new IllegalArgumentException("acceptedClientCa: null (expected: a CA when needClientAuth)");
        }
        if (!RUNNING.compareAndSet(false, true)) {
            throw new IllegalStateException("a SecureZooKeeper is already running in this JVM: ZooKeeper reads its "
                    + "TLS settings from system properties");
        }
        Map<String, String> replaced = new HashMap<>();
        try {
            Path serverCaPem = serverCa.writeCertPem(workDir.resolve("server-ca.pem"));
            Path keyStore = serverCert.writeCombinedPem(workDir.resolve("server.pem"));
            Path trustStore = acceptedClientCa == null ? null
                    : acceptedClientCa.writeCertPem(workDir.resolve("accepted-client-ca.pem"));
            Map<String, String> settings = tlsSettings(keyStore, trustStore, needClientAuth);
            settings.forEach((key, value) -> replaced.put(key, set(key, value)));
            if (needClientAuth) {
                // Built now, from the ssl.* properties just set; replaces one an earlier server may have left.
                ProviderRegistry.addOrUpdateProvider(X509_PROVIDER_PROPERTY);
            }
            int securePort = InstanceSpec.getRandomPort();
            Map<String, Object> zooCfg = new HashMap<>();
            zooCfg.put("maxClientCnxns", "0");
            zooCfg.put("admin.enableServer", "false");
            zooCfg.put("secureClientPort", Integer.toString(securePort));
            InstanceSpec spec = new InstanceSpec(workDir.resolve("zookeeper-data").toFile(), -1, -1, -1, true, -1,
                    -1, 0, zooCfg);
            // Returns once both ports listen: ZooKeeperServerMain reports the server started after it bound them.
            TestingServer server = new TestingServer(spec, true);
            return new SecureZooKeeper(server, securePort, serverCaPem, replaced);
        } catch (Exception | Error e) {
            restore(replaced);
            RUNNING.set(false);
            throw e;
        }
    }

    /**
     * @return the system properties the server's TLS needs, by name; a {@code null} value clears the property
     */
    private static Map<String, String> tlsSettings(Path keyStore, Path trustStore, boolean needClientAuth) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("zookeeper.serverCnxnFactory", NETTY_FACTORY);
        try (ClientX509Util x509 = new ClientX509Util()) {
            settings.put(x509.getSslKeystoreLocationProperty(), keyStore.toString());
            settings.put(x509.getSslKeystoreTypeProperty(), "PEM");
            settings.put(x509.getSslTruststoreLocationProperty(), trustStore == null ? null : trustStore.toString());
            settings.put(x509.getSslTruststoreTypeProperty(), trustStore == null ? null : "PEM");
            settings.put(x509.getSslClientAuthProperty(), needClientAuth ? "need" : "none");
        }
        settings.put(X509_PROVIDER_PROPERTY, needClientAuth ? X509_PROVIDER : null);
        return settings;
    }

    /** @return {@code 127.0.0.1:<clientPort>}, the plain port */
    public String plainConnectString() {
        return "127.0.0.1:" + server.getPort();
    }

    /** @return {@code localhost:<securePort>}, the TLS port by the name {@link CertSpec#server()} certifies */
    public String secureConnectString() {
        return secureConnectString("localhost");
    }

    /**
     * @param host the name or address the client connects to, and so verifies the server certificate against
     *     (e.g. {@code 127.0.0.1} needs an IP SAN, {@code localhost} a DNS SAN, with {@link TlsClients}' settings)
     * @return {@code <host>:<securePort>}
     */
    public String secureConnectString(String host) {
        return host + ":" + securePort;
    }

    /** @return the TLS client port */
    public int securePort() {
        return securePort;
    }

    /** @return the PEM file of the CA that issued the server certificate, for a client trust store */
    public Path serverCaPem() {
        return serverCaPem;
    }

    /**
     * @return how many TLS handshakes on the secure port failed since this server started, whichever side refused
     *     (ZooKeeper's {@code unsuccessful_handshake} counter; a connection closed before its handshake counts too)
     */
    public long failedHandshakes() {
        return ServerMetrics.getMetrics().UNSUCCESSFUL_HANDSHAKE.get();
    }

    /** Stops the server and puts back the system properties it had replaced. */
    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            restore(replacedProperties);
            RUNNING.set(false);
        }
    }

    /** Sets (or, for {@code null}, clears) a system property. @return the value it had */
    private static String set(String key, String value) {
        return value == null ? System.clearProperty(key) : System.setProperty(key, value);
    }

    /** Puts back the system properties in {@code replaced}, and drops the x509 provider if none is configured now. */
    private static void restore(Map<String, String> replaced) {
        replaced.forEach(SecureZooKeeper::set);
        if (System.getProperty(X509_PROVIDER_PROPERTY) == null) {
            ProviderRegistry.removeProvider("x509");
        }
    }
}
