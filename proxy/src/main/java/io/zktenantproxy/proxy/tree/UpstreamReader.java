package io.zktenantproxy.proxy.tree;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooKeeper;

/**
 * The admin server's and the operator CLI's own client of the ensemble, used only to read trees: never a tenant's
 * connection or credentials. A Curator client (reconnects, renews an expired session) with the ensemble tracker
 * off, so it stays on the configured servers; optionally authenticated with the platform's operator identity
 * ({@code digest user:password}), which every tenant ACL grants when the proxy has one configured.
 */
public final class UpstreamReader implements AutoCloseable {
    private final CuratorFramework curator;

    private UpstreamReader(CuratorFramework curator) {
        this.curator = curator;
    }

    /**
     * Starts connecting in the background.
     *
     * @param connectString the ensemble, {@code host:port,...}, no chroot suffix
     * @param digest        {@code user:password} for the {@code digest} scheme, or null
     */
    public static UpstreamReader start(String connectString, String digest) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .retryPolicy(new ExponentialBackoffRetry(200, 5, 5_000))
                .sessionTimeoutMs(30_000)
                .connectionTimeoutMs(10_000)
                .ensembleTracker(false);
        if (digest != null) {
            builder.authorization("digest", digest.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework curator = builder.build();
        curator.start();
        return new UpstreamReader(curator);
    }

    /** @return whether the client is connected now, waiting up to {@code timeout} */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return curator.blockUntilConnected((int) Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    /**
     * @return the connected ZooKeeper handle (valid until the session is renewed)
     * @throws TreeException {@code UNAVAILABLE} if the client is not connected
     */
    public ZooKeeper zooKeeper() {
        if (!curator.getZookeeperClient().isConnected()) {
            throw new TreeException(TreeException.Kind.UNAVAILABLE, "the proxy's client is not connected to the "
                    + "ensemble");
        }
        try {
            return curator.getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new TreeException(TreeException.Kind.UNAVAILABLE, "no ZooKeeper handle: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        curator.close();
    }
}
