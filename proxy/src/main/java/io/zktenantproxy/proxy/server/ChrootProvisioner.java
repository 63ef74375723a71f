package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.config.OperatorConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates each tenant's chroot znode, with its parents, before the tenant's first session goes upstream: without it
 * every request of the tenant would fail with {@code NONODE}. Uses one Curator client of the proxy's own
 * (retries with exponential backoff; the ensemble tracker off, so it stays on the configured servers).
 *
 * <p>A successful creation is remembered per chroot; a failed one is retried by the next connection.
 */
final class ChrootProvisioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChrootProvisioner.class);

    private final boolean enabled;
    private final CuratorFramework curator;
    private final ExecutorService executor;
    private final Map<String, CompletableFuture<Void>> done = new ConcurrentHashMap<>();

    /**
     * @param enabled  whether tenant chroots are created; the client runs either way, since session ownership
     *                 markers ({@link SessionRegistry}) need it
     * @param operator the identity the client authenticates as, or null
     */
    ChrootProvisioner(String connectString, boolean enabled, OperatorConfig operator) {
        this.enabled = enabled;
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder();
        if (operator != null) {
            builder.authorization("digest",
                    (operator.user() + ":" + operator.password()).getBytes(StandardCharsets.UTF_8));
        }
        this.curator = builder
                .connectString(connectString)
                .retryPolicy(new ExponentialBackoffRetry(200, 5, 5_000))
                .sessionTimeoutMs(30_000)
                .connectionTimeoutMs(10_000)
                .ensembleTracker(false)
                .build();
        this.curator.start();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chroot-provisioner");
            t.setDaemon(true);
            return t;
        });
    }

    /** @return the proxy's own client of the ensemble (not a tenant's): for provisioning and ownership checks */
    CuratorFramework curator() {
        return curator;
    }

    /** @return completes when tenant chroot {@code chroot} exists (at once when chroot creation is off) */
    CompletableFuture<Void> ensure(String chroot) {
        return enabled ? ensurePath(chroot) : CompletableFuture.completedFuture(null);
    }

    /** @return completes when {@code path} (with its parents) exists; created if missing */
    CompletableFuture<Void> ensurePath(String chroot) {
        CompletableFuture<Void> existing = done.get(chroot);
        if (existing != null && !existing.isCompletedExceptionally()) {
            return existing;
        }
        CompletableFuture<Void> attempt = CompletableFuture.runAsync(() -> create(chroot), executor);
        done.put(chroot, attempt);
        return attempt;
    }

    private void create(String chroot) {
        try {
            if (curator.checkExists().forPath(chroot) == null) {
                // empty data: without it Curator stores this host's IP address, which every tenant could read
                curator.create().creatingParentsIfNeeded().forPath(chroot, new byte[0]);
                LOG.info("created chroot {}", chroot);
            }
        } catch (KeeperException.NodeExistsException e) {
            // another proxy instance created it first
        } catch (Exception e) {
            LOG.warn("cannot create chroot {}: {}", chroot, e.toString());
            throw new IllegalStateException("cannot create chroot " + chroot, e);
        }
    }

    /** @return whether the proxy's own client is connected to the ensemble */
    boolean upstreamConnected() {
        return curator.getZookeeperClient().isConnected();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        curator.close();
    }
}
