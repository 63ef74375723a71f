package io.zktenantproxy.proxy.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

/**
 * ZooKeeper Java clients over TLS: the Netty client socket ({@code zookeeper.clientCnxnSocket}), TLS on
 * ({@code zookeeper.client.secure=true}), PEM trust and key stores ({@code zookeeper.ssl.trustStore.*},
 * {@code zookeeper.ssl.keyStore.*}), server hostname verification left on (ZooKeeper's default), SASL off
 * ({@code zookeeper.sasl.client=false}). In ZooKeeper 3.9's default FIPS mode the client verifies the server
 * certificate like HTTPS does, against the host of the connect string: an IP literal must be an IP SAN, a name a DNS
 * SAN.
 */
public final class TlsClients {
    /** How long {@link #connect(String, ZKClientConfig)} waits for the session. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** The session timeout asked of the server. */
    public static final int SESSION_TIMEOUT_MS = 30_000;

    private TlsClients() {
    }

    /**
     * A client configuration for TLS. It is set explicitly, not inherited: a {@code ZKClientConfig} starts from the
     * JVM's {@code zookeeper.*} system properties, where an in-JVM {@link SecureZooKeeper} has put its own key store.
     *
     * @param caPem the CA certificate(s) to trust, PEM
     * @param combinedKeyPem the client's key and certificate chain in one PEM file
     *     ({@link IssuedCert#writeCombinedPem}: ZooKeeper's PEM key store reads both from the same file), or
     *     {@code null} for a client without a certificate
     */
    public static ZKClientConfig zkClientConfig(Path caPem, Path combinedKeyPem) {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNetty");
        // With SASL on (the default, even without a JAAS configuration) the client looks up the name of the server
        // address before it connects, and an IP literal in the connect string then carries that name: the server
        // certificate would be checked against "localhost" instead of "127.0.0.1". Off, the check is against the
        // connect string's host as written.
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        try (ClientX509Util x509 = new ClientX509Util()) {
            config.setProperty(x509.getSslTruststoreLocationProperty(), caPem.toString());
            config.setProperty(x509.getSslTruststoreTypeProperty(), "PEM");
            // An empty location means no key store: ZooKeeper then sends no client certificate.
            config.setProperty(x509.getSslKeystoreLocationProperty(),
                    combinedKeyPem == null ? "" : combinedKeyPem.toString());
            config.setProperty(x509.getSslKeystoreTypeProperty(), "PEM");
            config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), "true");
        }
        return config;
    }

    /**
     * Opens a session and waits up to {@link #CONNECT_TIMEOUT} for {@code SyncConnected}.
     *
     * @throws TimeoutException if it did not connect in time (the client is closed then)
     */
    public static ZooKeeper connect(String connectString, ZKClientConfig config)
            throws IOException, InterruptedException, TimeoutException {
        return connect(connectString, config, CONNECT_TIMEOUT);
    }

    /**
     * Opens a session and waits up to {@code timeout} for {@code SyncConnected}.
     *
     * @throws TimeoutException if it did not connect in time (the client is closed then)
     * @throws IOException if the server refused the client's authentication ({@code AuthFailed})
     */
    public static ZooKeeper connect(String connectString, ZKClientConfig config, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        ZooKeeper client = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.complete(null);
            } else if (event.getState() == Watcher.Event.KeeperState.AuthFailed) {
                connected.completeExceptionally(new IOException("authentication failed: " + connectString));
            }
        }, config);
        try {
            connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        } catch (TimeoutException e) {
            client.close();
            throw new TimeoutException("not connected to " + connectString + " within " + timeout);
        } catch (ExecutionException e) {
            client.close();
            throw (IOException) e.getCause();
        } catch (InterruptedException e) {
            client.close();
            throw e;
        }
    }
}
