package io.zktenantproxy.flinkha.harness;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Flink's ZooKeeper client over mutual TLS. Flink has no ZooKeeper TLS options: its shaded ZooKeeper client
 * (flink-shaded-zookeeper-3, package {@code org.apache.flink.shaded.zookeeper3}) reads the JVM system properties
 * any ZooKeeper client reads, under their unrelocated names, while the socket class they name must be the relocated
 * one (the 3.5.9 client of Flink 1.15 knows no short name). In production they are JVM options,
 * {@code env.java.opts.jobmanager} and {@code env.java.opts.taskmanager} ({@link #javaOptions}, docs/FLINK.md).
 *
 * <p>A MiniCluster runs in the test's JVM, so {@link #install} sets exactly these as system properties and
 * {@link #close} restores what was there before (use it in try-with-resources: a try/finally). They are JVM-wide: the
 * unshaded clients of the harness say what they are themselves ({@link PlainClients}), as the proxy's client does.
 *
 * <p>{@code zookeeper.sasl.client} is left alone, as in production, where Flink's {@code ZooKeeperModule} sets it from
 * {@code zookeeper.sasl.disable} anyway: with SASL on, the client may look up the name of an IP address of the
 * quorum, but the 3.5 and 3.7 clients check the server certificate against the address first (ZKTrustManager), so
 * a certificate with the address as an IP SAN passes either way.
 */
public final class FlinkZooKeeperTls implements AutoCloseable {
    /** {@code zookeeper.clientCnxnSocket} for Flink: the Netty socket, as relocated into flink-shaded-zookeeper-3. */
    public static final String SHADED_NETTY_SOCKET =
            "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxnSocketNetty";

    private final Map<String, String> before;

    private FlinkZooKeeperTls(Map<String, String> before) {
        this.before = before;
    }

    /**
     * @param caPem          the CA certificate(s) the proxy's server certificate chains to, PEM
     * @param combinedKeyPem the tenant's client key and certificate chain in one PEM file (ZooKeeper's PEM key store
     *                       reads both from one file)
     * @return the system properties, in the order docs/FLINK.md lists them
     */
    public static Map<String, String> properties(Path caPem, Path combinedKeyPem) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("zookeeper.client.secure", "true");
        p.put("zookeeper.clientCnxnSocket", SHADED_NETTY_SOCKET);
        p.put("zookeeper.ssl.keyStore.location", combinedKeyPem.toString());
        p.put("zookeeper.ssl.keyStore.type", "PEM");
        p.put("zookeeper.ssl.trustStore.location", caPem.toString());
        p.put("zookeeper.ssl.trustStore.type", "PEM");
        return p;
    }

    /** @return {@code properties} as the value of {@code env.java.opts.jobmanager} / {@code .taskmanager} */
    public static String javaOptions(Map<String, String> properties) {
        return properties.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    /**
     * Sets {@code properties} as system properties of this JVM, after checking that the socket class is Flink's
     * (a wrong name would only surface as connection failures).
     *
     * @return what restores the previous values (or their absence) when closed
     */
    public static FlinkZooKeeperTls install(Map<String, String> properties) throws ClassNotFoundException {
        Class.forName(properties.get("zookeeper.clientCnxnSocket"));
        Map<String, String> before = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            before.put(e.getKey(), System.getProperty(e.getKey()));
            System.setProperty(e.getKey(), e.getValue());
        }
        return new FlinkZooKeeperTls(before);
    }

    /** Restores every property {@link #install} set to its earlier value, or clears it if it had none. */
    @Override
    public void close() {
        before.forEach((key, value) -> {
            if (value == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, value);
            }
        });
    }
}
