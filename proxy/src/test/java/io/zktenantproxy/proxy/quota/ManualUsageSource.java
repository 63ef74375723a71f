package io.zktenantproxy.proxy.quota;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link UsageSource} whose counts the test answers itself, one by one in the order they were asked for, with the
 * usage it chooses; provisioning succeeds at once, and data lengths come from {@link #lengths} (-1: no such znode).
 * Not thread-safe: for tests that drive one thread.
 */
public final class ManualUsageSource implements UsageSource {
    private final ArrayDeque<CompletableFuture<QuotaUsage>> counts = new ArrayDeque<>();
    /** The data length {@link #dataLength} reports per server path. */
    public final Map<String, Integer> lengths = new HashMap<>();

    @Override
    public CompletableFuture<Void> provision(String chroot, long countHardLimit, long byteHardLimit) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<QuotaUsage> count(String chroot) {
        CompletableFuture<QuotaUsage> count = new CompletableFuture<>();
        counts.add(count);
        return count;
    }

    @Override
    public CompletableFuture<Integer> dataLength(String path) {
        return CompletableFuture.completedFuture(lengths.getOrDefault(path, -1));
    }

    /** @return counts asked for and not answered yet */
    public int unanswered() {
        return counts.size();
    }

    /** Answers the oldest count asked for. */
    public void answer(long znodes, long dataBytes) {
        counts.poll().complete(new QuotaUsage(znodes, dataBytes));
    }
}
