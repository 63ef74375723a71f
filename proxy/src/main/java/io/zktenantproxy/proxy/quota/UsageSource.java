package io.zktenantproxy.proxy.quota;

import java.util.concurrent.CompletableFuture;

/** Where a tenant's usage is counted: ZooKeeper's own quota statistics ({@link EnsembleUsageSource}). */
public interface UsageSource {

    /**
     * Makes sure ZooKeeper keeps the count for {@code chroot}: its {@code zookeeper_limits} and {@code zookeeper_stats}
     * znodes exist, with the given ZooKeeper hard limits ({@code StatsTrack}'s {@code countHardLimit} and
     * {@code byteHardLimit}, -1 for none), which an ensemble that enforces quotas applies too.
     *
     * @return completes when they do; fails if they cannot be made (the tenant's sessions are then refused)
     */
    CompletableFuture<Void> provision(String chroot, long countHardLimit, long byteHardLimit);

    /**
     * Counts afresh: a {@code sync} of the stats znode, then its data, so the count includes every write the ensemble
     * acknowledged before the call.
     */
    CompletableFuture<QuotaUsage> count(String chroot);

    /** @return the current data length of the znode at server path {@code path}, or -1 if it does not exist */
    CompletableFuture<Integer> dataLength(String path);
}
