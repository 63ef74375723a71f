package io.zktenantproxy.flinkha.harness;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;

/**
 * The client settings of the harness's own ZooKeeper clients ({@link UpstreamTree}, {@link DirectAccess}): plain TCP
 * through the NIO socket, SASL off, each set explicitly.
 *
 * <p>Why explicitly: a {@link ZKClientConfig} starts from the JVM's {@code zookeeper.*} system properties, and a
 * test that runs Flink over TLS sets exactly those ({@link FlinkZooKeeperTls}) because Flink's shaded client reads
 * nothing else. They are JVM-wide: the unshaded client would read {@code zookeeper.client.secure=true} and a
 * {@code zookeeper.clientCnxnSocket} naming Flink's relocated class (which it cannot instantiate), and fail to reach
 * the plain ensemble. A client that says what it is itself is immune, whenever it (or Curator, after a session
 * expiry) makes its ZooKeeper handle. The proxy's own client does the same in main ({@code OperatorClient}).
 */
public final class PlainClients {
    private PlainClients() {
    }

    /** @return a new configuration for a plain connection, immune to the JVM's {@code zookeeper.*} properties */
    public static ZKClientConfig config() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "false");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNIO");
        // The harness authenticates with digest ids only.
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        return config;
    }

    /**
     * A plain client of {@code connectString} with {@link #config()}, connected, and authenticated with
     * {@code digest} ({@code user:password}) unless it is null.
     *
     * @param sessionTimeoutMs the session timeout asked for, in milliseconds
     * @throws IllegalStateException if no connection is made within 60 s
     */
    public static ZooKeeper connect(String connectString, int sessionTimeoutMs, String digest) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper client = new ZooKeeper(connectString, sessionTimeoutMs, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        }, config());
        if (!connected.await(60, TimeUnit.SECONDS)) {
            client.close();
            throw new IllegalStateException("no connection to " + connectString + " within 60 s");
        }
        if (digest != null) {
            client.addAuthInfo("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        return client;
    }
}
