package io.zktenantproxy.proxy.upstream;

import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The ZooKeeper client settings that make the proxy's own client ({@link OperatorClient}) speak TLS to the ensemble
 * with the same files as the tenants' upstream connections: {@code zookeeper.client.secure}, the Netty client socket
 * (the NIO one ignores the secure flag), {@code zookeeper.ssl.trustStore.*}, {@code zookeeper.ssl.keyStore.*} and
 * {@code zookeeper.ssl.hostnameVerification}.
 *
 * <p>ZooKeeper's PEM key store is one file holding the key and the certificate chain, while certificate tools
 * (cert-manager, SPIRE) write them apart; for a PEM pair, the two files are concatenated, byte for byte, into a file
 * of this process alone (a folder of mode 700 under {@code java.io.tmpdir}, the file mode 600), rewritten by
 * {@link #refresh} when the certificates rotate, deleted by {@link #close}. A PKCS12 file is used as it is. The
 * ZooKeeper client reads the files again on every new connection.
 */
public final class OperatorClientTls implements AutoCloseable {
    private final UpstreamTlsConfig config;
    private final Path combined;

    private OperatorClientTls(UpstreamTlsConfig config, Path combined) {
        this.config = config;
        this.combined = combined;
    }

    /**
     * @param config TLS to the ensemble, its files already checked ({@code io.zktenantproxy.proxy.tls.UpstreamTls})
     * @throws UncheckedIOException if the combined file cannot be written
     */
    public static OperatorClientTls of(UpstreamTlsConfig config) {
        Path combined = null;
        if (config.cert() != null && "PEM".equals(type(config.cert()))) {
            try {
                Path dir = Files.createTempDirectory("zktp-upstream-tls-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                combined = Files.createFile(dir.resolve("proxy-key-and-chain.pem"),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the ZooKeeper client's PEM key store", e);
            }
        }
        OperatorClientTls tls = new OperatorClientTls(config, combined);
        tls.refresh();
        return tls;
    }

    /** Rewrites the combined key store from the configured files (after they rotate). */
    public void refresh() {
        if (combined == null) {
            return;
        }
        try {
            String key = Files.readString(Path.of(config.key()), StandardCharsets.US_ASCII);
            String chain = Files.readString(Path.of(config.cert()), StandardCharsets.US_ASCII);
            Path next = combined.resolveSibling("next.pem");
            Files.writeString(next, key + (key.endsWith("\n") ? "" : "\n") + chain, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rw-------"));
            Files.move(next, combined, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ZooKeeper client's PEM key store", e);
        }
    }

    /** @return the ZooKeeper client configuration for the proxy's own client */
    public ZKClientConfig clientConfig() {
        // Every setting is explicit: a ZKClientConfig starts from the JVM's zookeeper.* system properties, which may
        // be another client's (an in-JVM ZooKeeper server or Flink's shaded client). An empty location means none.
        ZKClientConfig zk = OperatorClient.ownDefaults();
        zk.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        zk.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        zk.setProperty("zookeeper.ssl.hostnameVerification", String.valueOf(config.hostnameVerification()));
        zk.setProperty("zookeeper.ssl.trustStore.location", config.ca() == null ? "" : config.ca());
        zk.setProperty("zookeeper.ssl.trustStore.type", config.ca() == null ? "" : type(config.ca()));
        zk.setProperty("zookeeper.ssl.trustStore.password",
                config.ca() != null && config.keyPassword() != null && !"PEM".equals(type(config.ca()))
                        ? config.keyPassword() : "");
        zk.setProperty("zookeeper.ssl.keyStore.location", config.cert() == null ? ""
                : combined != null ? combined.toString() : config.cert());
        zk.setProperty("zookeeper.ssl.keyStore.type", config.cert() == null ? "" : combined != null ? "PEM" : "PKCS12");
        zk.setProperty("zookeeper.ssl.keyStore.password", config.keyPassword() == null ? "" : config.keyPassword());
        return zk;
    }

    /** @return {@code PEM} when the file starts with a PEM header, else {@code PKCS12} */
    private static String type(String file) {
        try (java.io.InputStream in = Files.newInputStream(Path.of(file))) {
            String head = new String(in.readNBytes(64), StandardCharsets.ISO_8859_1);
            return head.stripLeading().startsWith("-----BEGIN") ? "PEM" : "PKCS12";
        } catch (IOException e) {
            return "PEM"; // unreadable: the client's own error will name the file
        }
    }

    /** Deletes the combined key store. */
    @Override
    public void close() {
        if (combined != null) {
            try {
                Files.deleteIfExists(combined);
                Files.deleteIfExists(combined.getParent());
            } catch (IOException e) {
                // the folder is this process's alone; nothing more to do
            }
        }
    }
}
