package io.zktenantproxy.proxy.quota;

import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Quotas;
import org.apache.zookeeper.StatsTrack;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage as ZooKeeper itself counts it: a quota on the chroot ({@code /zookeeper/quota<chroot>/zookeeper_limits} and
 * {@code zookeeper_stats}, as {@code zkCli setquota} makes them), which every server keeps exact on every committed
 * create, delete and setData whether or not it enforces quotas ({@code DataTree.updateQuotaStat}). Every proxy
 * instance reads the same count, and ephemerals that die with their session, containers and TTL nodes the ensemble
 * removes are counted out without the proxy seeing them.
 *
 * <p>The quota znodes get the {@code acl} given (the operator identity only, when one is configured): on a stock
 * ensemble {@code /zookeeper/quota} is writable by anyone, and a direct client must not be able to remove a tenant's
 * count. The limits are written as ZooKeeper hard limits, so an ensemble with {@code zookeeper.enforceQuota=true}
 * refuses what the proxy refuses, or less (ZooKeeper counts data bytes only).
 */
public final class EnsembleUsageSource implements UsageSource {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleUsageSource.class);

    private final OperatorClient operator;
    private final List<ACL> acl;
    private final ExecutorService executor;

    /**
     * @param operator the proxy's own client, shared, not closed here
     * @param acl      the ACL of every quota znode the proxy creates
     * @param executor runs the blocking provisioning calls
     */
    public EnsembleUsageSource(OperatorClient operator, List<ACL> acl, ExecutorService executor) {
        this.operator = operator;
        this.acl = List.copyOf(acl);
        this.executor = executor;
    }

    @Override
    public CompletableFuture<Void> provision(String chroot, long countHardLimit, long byteHardLimit) {
        return CompletableFuture.runAsync(() -> ensure(chroot, limitsText(countHardLimit, byteHardLimit)), executor);
    }

    /** @return {@code StatsTrack} text with no soft limits (they only log) and the given hard limits */
    static String limitsText(long countHardLimit, long byteHardLimit) {
        StatsTrack limits = new StatsTrack();
        limits.setCount(-1);
        limits.setBytes(-1);
        limits.setCountHardLimit(countHardLimit);
        limits.setByteHardLimit(byteHardLimit);
        return limits.toString();
    }

    private void ensure(String chroot, String limitsText) {
        CuratorFramework curator = operator.curator();
        String quotaRoot = Quotas.quotaPath(chroot);
        String limitsPath = Quotas.limitPath(chroot);
        String statsPath = Quotas.statPath(chroot);
        byte[] limits = limitsText.getBytes(StandardCharsets.UTF_8);
        try {
            if (curator.checkExists().forPath(quotaRoot) == null) {
                create(curator, quotaRoot, new byte[0], true);
            }
            Stat limitsStat = curator.checkExists().forPath(limitsPath);
            if (limitsStat == null) {
                if (curator.checkExists().forPath(statsPath) != null) {
                    // stats without limits are never updated: make ZooKeeper count afresh
                    curator.delete().forPath(statsPath);
                }
                // the limits node first: it puts the path in ZooKeeper's quota trie; the stats node then makes it
                // count the subtree as it is (DataTree.createNode)
                create(curator, limitsPath, limits, false);
                LOG.info("quota on {}: {}", chroot, limitsText);
            } else if (!limitsText.equals(new String(curator.getData().forPath(limitsPath), StandardCharsets.UTF_8))) {
                curator.setData().forPath(limitsPath, limits);
                LOG.info("quota on {} updated: {}", chroot, limitsText);
            }
            if (curator.checkExists().forPath(statsPath) == null) {
                create(curator, statsPath, new StatsTrack().getStatsBytes(), false);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the quota znodes of " + chroot + ": " + e, e);
        }
    }

    private void create(CuratorFramework curator, String path, byte[] data, boolean parents) throws Exception {
        try {
            if (parents) {
                curator.create().creatingParentsIfNeeded().withACL(acl, true).forPath(path, data);
            } else {
                curator.create().withACL(acl).forPath(path, data);
            }
        } catch (KeeperException.NodeExistsException e) {
            // another proxy instance made it first
        }
    }

    @Override
    public CompletableFuture<QuotaUsage> count(String chroot) {
        CompletableFuture<QuotaUsage> result = new CompletableFuture<>();
        String statsPath = Quotas.statPath(chroot);
        ZooKeeper zk;
        try {
            zk = operator.curator().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            result.completeExceptionally(e);
            return result;
        }
        // one session: the read is answered after the sync, so it sees every write acknowledged before the sync
        zk.sync(statsPath, (rc, path, ctx) -> {
        }, null);
        zk.getData(statsPath, false, (rc, path, ctx, data, stat) -> {
            if (rc != KeeperException.Code.OK.intValue()) {
                result.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), path));
                return;
            }
            try {
                result.complete(QuotaUsage.of(new StatsTrack(data)));
            } catch (RuntimeException e) {
                result.completeExceptionally(new IllegalStateException("unreadable " + statsPath, e));
            }
        }, null);
        return result;
    }

    @Override
    public CompletableFuture<Integer> dataLength(String path) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        try {
            operator.curator().getZookeeperClient().getZooKeeper().exists(path, false, (rc, p, ctx, stat) -> {
                if (rc == KeeperException.Code.OK.intValue()) {
                    result.complete(stat.getDataLength());
                } else if (rc == KeeperException.Code.NONODE.intValue()) {
                    result.complete(-1);
                } else {
                    result.completeExceptionally(KeeperException.create(KeeperException.Code.get(rc), p));
                }
            }, null);
        } catch (Exception e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
