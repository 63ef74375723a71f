package io.zktenantproxy.proxy.quota;

import io.zktenantproxy.protocol.QuotaCharge;
import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.protocol.ZnodeQuota;
import io.zktenantproxy.proxy.config.QuotaLimits;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tenant's znode and byte quota on this proxy instance: the {@link ZnodeQuota} all its connections reserve
 * against. The usage is ZooKeeper's own count ({@link UsageSource}), shared by every proxy instance; on top of the
 * last count this instance adds what it has let through since, so its view is never below the truth by its own
 * writes:
 *
 * <pre>
 * view = counted (as of the count's start) + settled since (applied writes, deletes not credited) + reserved (in flight)
 * </pre>
 *
 * A write goes through at once when it fits the view, the count is fresh ({@value #FRESH_MILLIS} ms) and the write
 * is not near the limit: more stays free after it than a tenth of the quota, and than another instance can write in
 * one fresh window at the tenant's budget. Otherwise it waits, once, for a count started after it arrived (all
 * writes waiting share one count) and is then decided on that count: admitted if it fits, refused if not. So a
 * refusal is always based on a count newer than the request, deletes by any instance are seen before a refusal, and
 * near the limit every write is checked against a count of its own time. What other instances let through within
 * one count is what the quota can be overshot by (see SECURITY.md).
 *
 * <p>setData charges its whole new length in the view (the old length is not in the request); when that decides a
 * refusal, the znode's current length is looked up and only the growth is charged, as ZooKeeper's own
 * {@code checkQuota} does.
 *
 * <p>Thread-safe: connections on every event loop call it; counts complete on ZooKeeper's callback thread.
 */
public final class TenantQuota implements ZnodeQuota {
    private static final Logger LOG = LoggerFactory.getLogger(TenantQuota.class);
    /** A count older than this is not trusted to admit a write without counting again. */
    static final long FRESH_MILLIS = 50;
    private static final long FRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(FRESH_MILLIS);
    /** Within this fraction of a limit (at least), every write waits for a count of its own. */
    private static final int NEAR_LIMIT_DIVISOR = 10;

    private final String tenant;
    private final String chroot;
    private final UsageSource source;
    private final LongSupplier nanoTime;
    /** Replaced whole by {@link #update}; connections holding this quota see the new limits at their next write. */
    private volatile Thresholds thresholds;
    private final ReplacedLengths replaced;

    // guarded by this
    private QuotaUsage counted;
    private long countedAtNanos;
    private long settledZnodes;
    private long settledData;
    private long reservedZnodes;
    private long reservedData;
    private CompletableFuture<Void> counting;
    private CompletableFuture<Void> nextCount;
    private CompletableFuture<Void> provisioned;

    /**
     * @param limits            the tenant's quotas; only {@link QuotaLimits#znodes()}, {@link QuotaLimits#bytes()}
     *                          and {@link QuotaLimits#bytesPerZnode()} matter here
     * @param requestsPerSecond the tenant's request budget on each proxy instance (0: none)
     * @param bytesPerSecond    the tenant's byte budget on each proxy instance (0: none)
     * @param source            where usage is counted
     */
    public TenantQuota(String tenant, String chroot, QuotaLimits limits, int requestsPerSecond, int bytesPerSecond,
                       UsageSource source) {
        this(tenant, chroot, limits, requestsPerSecond, bytesPerSecond, source, System::nanoTime);
    }

    TenantQuota(String tenant, String chroot, QuotaLimits limits, int requestsPerSecond, int bytesPerSecond,
                UsageSource source, LongSupplier nanoTime) {
        this.tenant = tenant;
        this.chroot = chroot;
        this.source = source;
        this.nanoTime = nanoTime;
        this.replaced = new ReplacedLengths(source);
        this.thresholds = Thresholds.of(limits, requestsPerSecond, bytesPerSecond);
    }

    /**
     * The limits a write is held against, and how near them every write waits for a count of its own.
     *
     * @param limits     the tenant's quotas
     * @param nearZnodes within this many znodes of the limit a write waits for a fresh count
     * @param nearBytes  within this many bytes of the limit a write waits for a fresh count
     */
    private record Thresholds(QuotaLimits limits, long nearZnodes, long nearBytes) {
        static Thresholds of(QuotaLimits limits, int requestsPerSecond, int bytesPerSecond) {
            // near the limit means: closer than another instance can write within one fresh window at its full
            // budget, so a count that old cannot let this instance cross the limit unseen
            return new Thresholds(limits,
                    Math.max(limits.znodes() / NEAR_LIMIT_DIVISOR, requestsPerSecond * FRESH_MILLIS / 1000),
                    Math.max(limits.bytes() / NEAR_LIMIT_DIVISOR, bytesPerSecond * FRESH_MILLIS / 1000));
        }
    }

    /**
     * New limits from a reload, for every connection of the tenant at once; the limits znode on the ensemble is
     * rewritten (so an ensemble that enforces quotas itself holds the same numbers) by the next {@link #provision},
     * which this starts.
     *
     * @return completes when the ensemble holds the new limits
     */
    public CompletableFuture<Void> update(QuotaLimits limits, int requestsPerSecond, int bytesPerSecond) {
        Thresholds next = Thresholds.of(limits, requestsPerSecond, bytesPerSecond);
        synchronized (this) {
            if (next.equals(thresholds)) {
                return provisioned != null ? provisioned : CompletableFuture.completedFuture(null);
            }
            thresholds = next;
            provisioned = null;
        }
        return provision();
    }

    /**
     * Makes ZooKeeper count the tenant's usage (once; retried after a failure) and takes a first count.
     *
     * @return completes when the quota can be enforced; fails if the quota znodes cannot be made
     */
    public CompletableFuture<Void> provision() {
        CompletableFuture<Void> attempt;
        synchronized (this) {
            if (provisioned != null && !provisioned.isCompletedExceptionally()) {
                return provisioned;
            }
            attempt = new CompletableFuture<>();
            provisioned = attempt;
        }
        QuotaLimits limits = thresholds.limits();
        long countLimit = limits.znodes() > 0 ? limits.znodes() + 1 : -1; // ZooKeeper counts the chroot itself
        long byteLimit = limits.bytes() > 0 ? limits.bytes() : -1; // ZooKeeper counts data only: never stricter
        source.provision(chroot, countLimit, byteLimit)
                .thenCompose(ignored -> source.count(chroot))
                .whenComplete((usage, error) -> {
                    if (error != null) {
                        LOG.warn("tenant {}: quota cannot be enforced, its sessions are refused: {}", tenant,
                                error.toString());
                        attempt.completeExceptionally(error);
                        return;
                    }
                    synchronized (this) {
                        // a first count, or the first after the quota znodes were made again: what settled before
                        // is in it (what settled while it ran is lost to it, the one window where the view may be
                        // below the truth, by the writes of one count's round trip)
                        counted = usage;
                        countedAtNanos = nanoTime.getAsLong();
                        settledZnodes = 0;
                        settledData = 0;
                    }
                    attempt.complete(null);
                });
        return attempt;
    }

    /** @return the quotas enforced */
    public QuotaLimits limits() {
        return thresholds.limits();
    }

    /** @return the last count, or null before the first */
    public synchronized QuotaUsage lastCount() {
        return counted;
    }

    /** @return the usage this instance checks writes against: the last count plus what it let through since */
    public synchronized QuotaUsage view() {
        return counted == null ? null : new QuotaUsage(counted.znodes() + settledZnodes + reservedZnodes,
                counted.dataBytes() + settledData + reservedData);
    }

    @Override
    public Decision reserve(QuotaCharge charge, boolean mayWait) {
        synchronized (this) {
            if (counted == null) {
                return mayWait ? new Wait(requestCount()) : new Refuse(QuotaKind.ZNODES, 0);
            }
            long znodes = counted.znodes() + settledZnodes + reservedZnodes;
            long data = counted.dataBytes() + settledData + reservedData;
            // the old lengths of the znodes a setData replaces, where looked up while it waited
            long credit = !mayWait && charge.setsData() ? replaced.take(charge) : 0;
            int over = firstOver(charge, znodes, data, credit);
            boolean fresh = nanoTime.getAsLong() - countedAtNanos <= FRESH_NANOS;
            if (over < 0 && (!mayWait || fresh && !nearLimit(charge, znodes, data))) {
                reservedZnodes += charge.znodes();
                reservedData += charge.dataBytes();
                if (!fresh || nanoTime.getAsLong() - countedAtNanos > FRESH_NANOS / 2) {
                    requestCount(); // keep the count fresh for the writes to come, in the background
                }
                return ADMIT;
            }
            if (!mayWait) {
                return new Refuse(kindOver(charge, znodes, over), over);
            }
            CompletableFuture<Void> count = requestCount();
            if (!charge.setsData()) {
                return new Wait(count);
            }
            // the fresh count may still leave no room for the whole new length: learn what it replaces (the paths
            // are read now, while the request's frame is held)
            List<QuotaCharge.SetData> sets = charge.setData();
            return new Wait(count.thenCompose(ignored -> replaced.lookUp(sets)));
        }
    }

    @Override
    public synchronized void settle(QuotaCharge charge, Boolean applied) {
        reservedZnodes -= charge.znodes();
        reservedData -= charge.dataBytes();
        if (applied == null || applied) {
            settledZnodes += charge.znodes();
            settledData += charge.dataBytes();
        }
    }

    /** @return the first op after which the view would be over a limit, or -1 */
    private int firstOver(QuotaCharge charge, long znodes, long data, long setDataCredit) {
        QuotaLimits limits = thresholds.limits();
        for (int i = 0; i < charge.ops(); i++) {
            boolean adds = i == 0 ? charge.znodesUpTo(0) > 0 || charge.dataUpTo(0) > 0
                    : charge.znodesUpTo(i) > charge.znodesUpTo(i - 1) || charge.dataUpTo(i) > charge.dataUpTo(i - 1);
            if (!adds) {
                continue; // a delete or a check inside a multi is never the op that crosses the quota
            }
            long z = znodes + charge.znodesUpTo(i);
            long d = data + charge.dataUpTo(i) - (i == charge.ops() - 1 ? setDataCredit : 0);
            if (limits.znodes() > 0 && z > limits.znodes()
                    || limits.bytes() > 0 && d + z * limits.bytesPerZnode() > limits.bytes()) {
                return i;
            }
        }
        return -1;
    }

    private QuotaKind kindOver(QuotaCharge charge, long znodes, int index) {
        QuotaLimits limits = thresholds.limits();
        long z = znodes + charge.znodesUpTo(index);
        return limits.znodes() > 0 && z > limits.znodes() ? QuotaKind.ZNODES : QuotaKind.BYTES;
    }

    private boolean nearLimit(QuotaCharge charge, long znodes, long data) {
        Thresholds t = thresholds;
        QuotaLimits limits = t.limits();
        long z = znodes + charge.znodes();
        long bytes = data + charge.dataBytes() + z * limits.bytesPerZnode();
        return limits.znodes() > 0 && limits.znodes() - z < t.nearZnodes()
                || limits.bytes() > 0 && limits.bytes() - bytes < t.nearBytes();
    }

    /**
     * @return completes after a count that started after this call (the running one if it has not yet been sent is
     *     not distinguishable, so a running count is followed by another)
     */
    private synchronized CompletableFuture<Void> requestCount() {
        if (counting == null) {
            CompletableFuture<Void> count = new CompletableFuture<>();
            counting = count;
            startCount(count); // may complete at once (no connection): return the future, not the field
            return count;
        }
        if (nextCount == null) {
            nextCount = new CompletableFuture<>();
        }
        return nextCount;
    }

    private void startCount(CompletableFuture<Void> done) {
        long startedAt;
        long settledZnodesAtStart;
        long settledDataAtStart;
        synchronized (this) {
            startedAt = nanoTime.getAsLong();
            settledZnodesAtStart = settledZnodes;
            settledDataAtStart = settledData;
        }
        source.count(chroot).whenComplete((usage, error) -> {
            CompletableFuture<Void> following;
            synchronized (this) {
                if (usage != null) {
                    counted = usage;
                    countedAtNanos = startedAt;
                    // what settled before the count started is in it; what settled during it may be counted twice,
                    // which errs on the safe side until the next count
                    settledZnodes -= settledZnodesAtStart;
                    settledData -= settledDataAtStart;
                }
                following = nextCount;
                nextCount = null;
                counting = following;
            }
            if (error != null) {
                LOG.info("tenant {}: counting usage failed: {}", tenant, error.toString());
                if (error instanceof KeeperException.NoNodeException) { // as the source completes it, unwrapped
                    reprovision(); // someone deleted the quota znodes: without them ZooKeeper counts nothing
                }
            }
            done.complete(null); // waiting writes are decided on whatever count is in hand
            if (following != null) {
                startCount(following);
            }
        });
    }

    private void reprovision() {
        synchronized (this) {
            if (provisioned != null && !provisioned.isDone()) {
                return; // already under way
            }
            provisioned = null;
        }
        LOG.warn("tenant {}: the quota znodes of {} are gone; making them again", tenant, chroot);
        provision();
    }
}
