package io.zktenantproxy.proxy.quota;

import io.zktenantproxy.protocol.QuotaCharge;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The current data length of the znodes that waiting setData requests replace, looked up while they wait and taken
 * once when they are decided, so that a setData near the byte quota is charged its growth only, as ZooKeeper's own
 * {@code checkQuota} charges it. Thread-safe: look-ups complete on ZooKeeper's callback thread.
 */
final class ReplacedLengths {
    /** Lengths left by writes whose connection closed before they were decided are dropped past this many. */
    private static final int MAX_KEPT = 1024;

    private final UsageSource source;
    private final Map<String, Integer> lengths = new HashMap<>();

    ReplacedLengths(UsageSource source) {
        this.source = source;
    }

    /** @return completes when the length of every znode {@code sets} replace is known (or could not be learnt) */
    CompletableFuture<Void> lookUp(List<QuotaCharge.SetData> sets) {
        CompletableFuture<?>[] lookups = sets.stream()
                .map(set -> source.dataLength(set.path()).thenAccept(length -> {
                    if (length >= 0) {
                        keep(set.path(), length);
                    }
                }).exceptionally(error -> null))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(lookups);
    }

    private synchronized void keep(String path, int length) {
        if (lengths.size() >= MAX_KEPT) {
            lengths.clear();
        }
        lengths.put(path, length);
    }

    /** @return the bytes the setData ops of {@code charge} replace, as looked up (0 for any not looked up) */
    synchronized long take(QuotaCharge charge) {
        long replaced = 0;
        for (QuotaCharge.SetData set : charge.setData()) {
            Integer old = lengths.remove(set.path());
            replaced += old == null ? 0 : old;
        }
        return replaced;
    }
}
