package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates each tenant's chroot znode, with its parents, before the tenant's first session goes upstream: without it
 * every request of the tenant would fail with {@code NONODE}. Uses the proxy's own client of the ensemble
 * ({@link OperatorClient}), which it shares and does not close.
 *
 * <p>A successful creation is remembered per chroot; a failed one is retried by the next connection. Each path it
 * has made sure of is watched (Curator's {@link PersistentWatcher}, which survives reconnects): if someone deletes a
 * chroot while the proxy runs, it is created again at once, so the tenant's sessions keep working (on an empty tree)
 * instead of failing every request with {@code NONODE} until the proxy restarts.
 */
final class ChrootProvisioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChrootProvisioner.class);

    private final boolean enabled;
    private final CuratorFramework curator;
    private final ExecutorService executor;
    private final Map<String, CompletableFuture<Void>> done = new ConcurrentHashMap<>();
    private final Map<String, PersistentWatcher> watchers = new ConcurrentHashMap<>();

    /**
     * @param operator the proxy's own client of the ensemble, shared; not closed by {@link #close}
     * @param enabled  whether tenant chroots are created; the session marker root is created either way
     */
    ChrootProvisioner(OperatorClient operator, boolean enabled) {
        this.enabled = enabled;
        this.curator = operator.curator();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chroot-provisioner");
            t.setDaemon(true);
            return t;
        });
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
        watchForDeletion(chroot);
    }

    private void watchForDeletion(String path) {
        watchers.computeIfAbsent(path, p -> {
            PersistentWatcher watcher = new PersistentWatcher(curator, p, false);
            watcher.getListenable().addListener(event -> {
                if (event.getType() == Watcher.Event.EventType.NodeDeleted && p.equals(event.getPath())) {
                    LOG.warn("{} was deleted while the proxy runs; creating it again", p);
                    done.remove(p);
                    ensurePath(p);
                }
            });
            watcher.start();
            return watcher;
        });
    }

    /** Stops watching and creating; the shared client stays open (its owner closes it). */
    @Override
    public void close() {
        watchers.values().forEach(PersistentWatcher::close);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
