package io.zktenantproxy.proxy.upstream;

import io.zktenantproxy.proxy.config.OperatorConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The proxy's own client of the ensemble, never a tenant's connection or credentials: a Curator client (retries with
 * exponential backoff, reconnects, renews an expired session) with the ensemble tracker off, so it stays on the
 * configured servers, optionally authenticated with the platform's operator identity ({@code digest user:password}),
 * which every tenant ACL grants when the proxy has one configured.
 *
 * <p>A running proxy has one, built and closed by {@code ProxyServer}: chroot creation, the session ownership
 * look-ups and the admin server's tree reads share it, and readiness asks whether it is connected. The operator CLI
 * ({@code tree}, {@code du}) builds one of its own per command.
 */
public final class OperatorClient implements AutoCloseable {
    private final CuratorFramework curator;

    private OperatorClient(CuratorFramework curator) {
        this.curator = curator;
    }

    /**
     * Starts connecting in the background.
     *
     * @param connectString the ensemble, {@code host:port,...}, no chroot suffix
     * @param digest        {@code user:password} for the {@code digest} scheme, or null
     */
    public static OperatorClient start(String connectString, String digest) {
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
        return new OperatorClient(curator);
    }

    /**
     * Starts connecting in the background, authenticated as {@code operator}.
     *
     * @param connectString the ensemble, {@code host:port,...}, no chroot suffix
     * @param operator      the platform's operator identity, or null for none
     */
    public static OperatorClient start(String connectString, OperatorConfig operator) {
        return start(connectString, operator == null ? null : operator.user() + ":" + operator.password());
    }

    /** @return the Curator client; closed with this one, so callers must not close it */
    public CuratorFramework curator() {
        return curator;
    }

    /** @return whether the client is connected to the ensemble now */
    public boolean connected() {
        return curator.getZookeeperClient().isConnected();
    }

    /** @return whether the client is connected now, waiting up to {@code timeout} */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return curator.blockUntilConnected((int) Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Closes the Curator client. */
    @Override
    public void close() {
        curator.close();
    }
}
