package io.zktenantproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.zktenantproxy.protocol.QuotaKind;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * The quota and watch meters of one tenant ({@code docs/METRICS.md}): usage against quota, refusals by kind, writes
 * that waited for a count, watches held in all and by the busiest session. Part of {@link TenantMeters}, reached
 * through {@link TenantMeters#quota()}. Thread-safe.
 */
public final class QuotaMeters {
    private final MeterRegistry registry;
    private final String tenant;
    private final LazyMeters<Counter> exceeded;
    private final Counter waits;
    private final AtomicLong watchesHeld = new AtomicLong();
    private final Set<IntSupplier> sessionWatchCounts = ConcurrentHashMap.newKeySet();

    QuotaMeters(MeterRegistry registry, String tenant) {
        this.registry = registry;
        this.tenant = tenant;
        exceeded = new LazyMeters<>(QuotaKind.values().length, k -> Counter.builder(MeterNames.QUOTA_EXCEEDED)
                .description("Requests refused with QUOTAEXCEEDED, by the quota they would have crossed")
                .tags(MeterNames.TENANT, tenant, MeterNames.KIND, QuotaKind.values()[k].tag()).register(registry));
        waits = Counter.builder(MeterNames.QUOTA_WAITS)
                .description("Writes that waited for a fresh count of the tenant's usage before being decided")
                .tag(MeterNames.TENANT, tenant).register(registry);
        Gauge.builder(MeterNames.WATCHES_HELD, watchesHeld, AtomicLong::get)
                .description("Watches held by the tenant's sessions through this proxy instance")
                .tag(MeterNames.TENANT, tenant).register(registry);
        Gauge.builder(MeterNames.WATCHES_HELD_MAX, sessionWatchCounts, QuotaMeters::max)
                .description("Watches held by the tenant's busiest session through this proxy instance")
                .tag(MeterNames.TENANT, tenant).register(registry);
    }

    private static double max(Set<IntSupplier> counts) {
        int max = 0;
        for (IntSupplier count : counts) {
            max = Math.max(max, count.getAsInt());
        }
        return max;
    }

    /**
     * Registers the gauges of the tenant's quotas. The gauges hold the suppliers strongly: Micrometer otherwise keeps
     * a gauge's object weakly, and a lambda nothing else references is collected, leaving the gauge NaN.
     *
     * @param znodesUsed    znodes as last counted, or NaN before the first count
     * @param bytesUsed     charged bytes as last counted, or NaN
     * @param limits        znodes, bytes and watches per session, in that order (0: none)
     */
    public void gauges(DoubleSupplier znodesUsed, DoubleSupplier bytesUsed, long... limits) {
        gauges(znodesUsed, bytesUsed, () -> limits);
    }

    /**
     * {@link #gauges(DoubleSupplier, DoubleSupplier, long...)} with limits read at each scrape, so that a reload's new
     * quotas show without registering the gauges again.
     *
     * @param limits the current znodes, bytes and watches per session, in that order (0: none)
     */
    public void gauges(DoubleSupplier znodesUsed, DoubleSupplier bytesUsed, java.util.function.Supplier<long[]> limits) {
        // a tenant added again by a reload registers anew: gauges of the removed one would read its old objects
        registry.find(MeterNames.QUOTA_USED).tag(MeterNames.TENANT, tenant).meters().forEach(registry::remove);
        registry.find(MeterNames.QUOTA_LIMIT).tag(MeterNames.TENANT, tenant).meters().forEach(registry::remove);
        Gauge.builder(MeterNames.QUOTA_USED, znodesUsed, DoubleSupplier::getAsDouble)
                .description("The tenant's usage on the ensemble as last counted: znodes, or bytes (data plus the "
                        + "per-znode charge)")
                .tags(MeterNames.TENANT, tenant, MeterNames.KIND, QuotaKind.ZNODES.tag())
                .strongReference(true).register(registry);
        Gauge.builder(MeterNames.QUOTA_USED, bytesUsed, DoubleSupplier::getAsDouble)
                .description("The tenant's usage on the ensemble as last counted: znodes, or bytes (data plus the "
                        + "per-znode charge)")
                .tags(MeterNames.TENANT, tenant, MeterNames.KIND, QuotaKind.BYTES.tag())
                .strongReference(true).register(registry);
        QuotaKind[] kinds = QuotaKind.values();
        int count = limits.get().length;
        for (int i = 0; i < kinds.length && i < count; i++) {
            int index = i;
            Gauge.builder(MeterNames.QUOTA_LIMIT, () -> limits.get()[index])
                    .description("The tenant's quota: znodes, bytes, or watches per session (0: none)")
                    .tags(MeterNames.TENANT, tenant, MeterNames.KIND, kinds[i].tag()).register(registry);
        }
    }

    /** Records a request refused with QUOTAEXCEEDED for want of {@code kind}. */
    public void exceeded(QuotaKind kind) {
        exceeded.get(kind.ordinal()).increment();
    }

    /** Records a write that waits for a fresh count of the tenant's usage. */
    public void waited() {
        waits.increment();
    }

    /**
     * @return requests refused with QUOTAEXCEEDED for want of {@code kind} since start (0 before the first, whose
     *     series does not exist until then)
     */
    public long refusals(QuotaKind kind) {
        Counter counter = exceeded.peek(kind.ordinal());
        return counter == null ? 0 : (long) counter.count();
    }

    /** @return writes that waited for a fresh count of the tenant's usage since start */
    public long waits() {
        return (long) waits.count();
    }

    /** @param delta change of the watches a session of the tenant holds */
    public void watchesHeld(int delta) {
        watchesHeld.addAndGet(delta);
    }

    /** @return watches held by the tenant's sessions on this instance */
    public long watchesHeld() {
        return watchesHeld.get();
    }

    /** @return watches held by the tenant's busiest session on this instance */
    public int watchesHeldMax() {
        return (int) max(sessionWatchCounts);
    }

    /** Counts a session's watches in {@link #watchesHeldMax()} until {@link #sessionGone}. */
    public void sessionWatches(IntSupplier watchCount) {
        sessionWatchCounts.add(watchCount);
    }

    /** Stops counting a session's watches. */
    public void sessionGone(IntSupplier watchCount) {
        sessionWatchCounts.remove(watchCount);
    }
}
