package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.identity.UpstreamAcls;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import io.zktenantproxy.protocol.EnsembleFeatures;
import io.zktenantproxy.protocol.OpCode;
import org.apache.curator.framework.recipes.watch.PersistentWatcher;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
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
 *
 * <p>What it creates gets the ACLs of {@link UpstreamAcls}: with tenant identities, a chroot is its tenant's and the
 * platform's, its parents the platform's alone (the operator client's default ACL), and the session-marker root
 * grants each tenant that connects CREATE ({@link #ensureMarkerGrant}), so its sessions can add their markers. ACLs
 * of znodes that already exist are left alone: {@code migrate-acls} puts an older tree under the identities.
 */
final class ChrootProvisioner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChrootProvisioner.class);

    private final boolean enabled;
    private final CuratorFramework curator;
    private final ExecutorService executor;
    private final Map<String, CompletableFuture<Void>> done = new ConcurrentHashMap<>();
    private final Map<String, PersistentWatcher> watchers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> markerGrants = new ConcurrentHashMap<>();
    private final Map<String, List<ACL>> aclByPath = new ConcurrentHashMap<>();
    private final UpstreamAcls acls;
    private final EnsembleFeatures ensemble;

    /**
     * @param operator the proxy's own client of the ensemble, shared; not closed by {@link #close}
     * @param enabled  whether tenant chroots are created; the session marker root is created either way
     * @param acls     the ACLs of what is created
     * @param ensemble what the ensemble implements: persistent watches ({@code addWatch}) only from 3.6
     */
    ChrootProvisioner(OperatorClient operator, boolean enabled, UpstreamAcls acls, EnsembleFeatures ensemble) {
        this.enabled = enabled;
        this.acls = acls;
        this.ensemble = ensemble;
        this.curator = operator.curator();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "chroot-provisioner");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * @return completes when {@code tenant}'s chroot {@code chroot} exists (at once when chroot creation is off)
     */
    CompletableFuture<Void> ensure(String tenant, String chroot) {
        return enabled ? ensurePath(chroot, acls.chroot(tenant)) : CompletableFuture.completedFuture(null);
    }

    /** @return completes when {@code path} (with its parents) exists; created with the platform's ACL if missing */
    CompletableFuture<Void> ensurePath(String path) {
        return ensurePath(path, acls.platformOnly());
    }

    private CompletableFuture<Void> ensurePath(String path, List<ACL> acl) {
        CompletableFuture<Void> existing = done.get(path);
        if (existing != null && !existing.isCompletedExceptionally()) {
            return existing;
        }
        aclByPath.put(path, acl);
        CompletableFuture<Void> attempt = CompletableFuture.runAsync(() -> create(path, acl), executor);
        done.put(path, attempt);
        return attempt;
    }

    /**
     * @return completes when the session-marker root exists and lets {@code tenant}'s identity create markers in it
     *     (at once after the first success, and without tenant identities beyond the root's existence)
     */
    CompletableFuture<Void> ensureMarkerGrant(String tenant) {
        CompletableFuture<Void> root = ensurePath(SessionRegistry.MARKER_ROOT);
        if (!acls.locked()) {
            return root;
        }
        CompletableFuture<Void> existing = markerGrants.get(tenant);
        if (existing != null && !existing.isCompletedExceptionally()) {
            return existing;
        }
        CompletableFuture<Void> attempt = root.thenRunAsync(() -> grantMarkers(tenant), executor);
        markerGrants.put(tenant, attempt);
        return attempt;
    }

    /** The tenant's grant on the marker root proved missing: the next {@link #ensureMarkerGrant} checks again. */
    void forgetMarkerGrant(String tenant) {
        markerGrants.remove(tenant);
    }

    /** Adds the tenant's CREATE entries to the marker root's ACL, compare-and-set on its ACL version. */
    private void grantMarkers(String tenant) {
        List<ACL> wanted = acls.markerGrant(tenant);
        try {
            for (int attempt = 0; attempt < 20; attempt++) {
                Stat stat = new Stat();
                List<ACL> current = curator.getACL().storingStatIn(stat).forPath(SessionRegistry.MARKER_ROOT);
                List<ACL> missing = wanted.stream().filter(w -> !grants(current, w)).toList();
                if (missing.isEmpty()) {
                    return;
                }
                List<ACL> next = new ArrayList<>(current);
                next.addAll(missing);
                try {
                    curator.setACL().withVersion(stat.getAversion()).withACL(next)
                            .forPath(SessionRegistry.MARKER_ROOT);
                    LOG.info("tenant {}: may now create session markers under {}", tenant,
                            SessionRegistry.MARKER_ROOT);
                    return;
                } catch (KeeperException.BadVersionException e) {
                    // another replica changed it meanwhile: read again
                }
            }
            throw new IllegalStateException("the ACL of " + SessionRegistry.MARKER_ROOT + " kept changing");
        } catch (Exception e) {
            LOG.warn("tenant {}: cannot grant session markers under {}: {}", tenant, SessionRegistry.MARKER_ROOT,
                    e.toString());
            throw new IllegalStateException("cannot grant session markers to tenant " + tenant, e);
        }
    }

    /** @return whether {@code acl} already gives what {@code wanted} asks (itself, or world:anyone with its perms) */
    private static boolean grants(List<ACL> acl, ACL wanted) {
        return acl.stream().anyMatch(a -> (a.getId().equals(wanted.getId())
                || a.getId().equals(ZooDefs.Ids.ANYONE_ID_UNSAFE))
                && (a.getPerms() & wanted.getPerms()) == wanted.getPerms());
    }

    private void create(String chroot, List<ACL> acl) {
        try {
            if (curator.checkExists().forPath(chroot) == null) {
                // empty data: without it Curator stores this host's IP address, which every tenant could read;
                // parents get the client's default ACL, the platform's
                curator.create().creatingParentsIfNeeded().withACL(acl).forPath(chroot, new byte[0]);
                LOG.info("created {}", chroot);
            }
        } catch (KeeperException.NodeExistsException e) {
            // another proxy instance created it first
        } catch (Exception e) {
            LOG.warn("cannot create {}: {}", chroot, e.toString(), e);
            throw new IllegalStateException("cannot create chroot " + chroot, e);
        }
        watchForDeletion(chroot);
    }

    private void watchForDeletion(String path) {
        if (!ensemble.forwards(OpCode.ADD_WATCH)) {
            // a 3.5 ensemble answers addWatch with -6 and drops the proxy's connection: no persistent watch there,
            // so a chroot deleted behind the proxy's back is created again only by the next proxy start
            return;
        }
        watchers.computeIfAbsent(path, p -> {
            PersistentWatcher watcher = new PersistentWatcher(curator, p, false);
            watcher.getListenable().addListener(event -> {
                if (event.getType() == Watcher.Event.EventType.NodeDeleted && p.equals(event.getPath())) {
                    LOG.warn("{} was deleted while the proxy runs; creating it again", p);
                    done.remove(p);
                    if (SessionRegistry.MARKER_ROOT.equals(p)) {
                        markerGrants.clear();
                    }
                    List<ACL> acl = aclByPath.getOrDefault(p, acls.platformOnly());
                    CompletableFuture<Void> again = CompletableFuture.runAsync(() -> create(p, acl), executor);
                    done.put(p, again);
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
