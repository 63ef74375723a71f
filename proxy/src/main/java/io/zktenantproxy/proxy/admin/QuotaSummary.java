package io.zktenantproxy.proxy.admin;

import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.proxy.config.QuotaLimits;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import io.zktenantproxy.proxy.quota.QuotaUsage;
import io.zktenantproxy.proxy.quota.TenantQuota;
import io.zktenantproxy.proxy.server.Tenant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code quota} object of one tenant in {@code GET /tenants}: its quotas, its usage as ZooKeeper last counted it
 * ({@link TenantQuota#lastCount()}, the {@code zookeeper_stats} of its chroot, the chroot itself not counted), the
 * watches its sessions hold through this instance, and the requests refused with QUOTAEXCEEDED here.
 *
 * <pre>
 * {"znodes": {"used": 18, "limit": 10000},
 *  "bytes": {"used": 18977, "data": 545, "limit": 33554432},
 *  "bytesPerZnode": 1024,
 *  "watches": {"held": 3, "heldMax": 2, "limitPerSession": 10000},
 *  "exceeded": {"znodes": 0, "bytes": 0, "watches": 0},
 *  "waits": 0}
 * </pre>
 *
 * @param znodes        znodes under the chroot: used (null before the first count, or when the tenant has neither a
 *                      znode nor a byte quota, so nothing counts) and the quota (0: none)
 * @param bytes         bytes charged: used (data plus {@code bytesPerZnode} per znode; null as for znodes), the data
 *                      alone, and the quota (0: none)
 * @param bytesPerZnode what each znode is charged beside its data, bytes
 * @param watches       watches held through this instance: by all the tenant's sessions, by its busiest session, and
 *                      the quota per session (0: none)
 * @param exceeded      requests refused with QUOTAEXCEEDED on this instance since start, by quota crossed
 *                      ({@code znodes}, {@code bytes}, {@code watches})
 * @param waits         writes that waited for a fresh count of the usage on this instance since start
 */
record QuotaSummary(Usage znodes, Bytes bytes, int bytesPerZnode, Watches watches, Map<String, Long> exceeded,
                    long waits) {

    /**
     * A count against its quota.
     *
     * @param used  the count, or null when unknown
     * @param limit the quota, 0 for none
     */
    record Usage(Long used, long limit) {
    }

    /**
     * Bytes charged against the byte quota.
     *
     * @param used  data plus the per-znode charge, or null when unknown
     * @param data  data bytes alone, or null when unknown
     * @param limit the quota, 0 for none
     */
    record Bytes(Long used, Long data, long limit) {
    }

    /**
     * Watches held through this proxy instance.
     *
     * @param held            by all the tenant's sessions together
     * @param heldMax         by its busiest session
     * @param limitPerSession the most one session may hold, 0 for no limit
     */
    record Watches(long held, int heldMax, int limitPerSession) {
    }

    /** @return the quota summary of {@code tenant}, read now from its quota and meters */
    static QuotaSummary of(Tenant tenant) {
        QuotaLimits limits = tenant.quotaLimits();
        TenantQuota quota = tenant.quota();
        QuotaUsage usage = quota == null ? null : quota.lastCount();
        TenantMeters meters = tenant.meters();
        Map<String, Long> exceeded = new LinkedHashMap<>();
        for (QuotaKind kind : QuotaKind.values()) {
            exceeded.put(kind.tag(), meters.quota().refusals(kind));
        }
        return new QuotaSummary(
                new Usage(usage == null ? null : usage.znodes(), limits.znodes()),
                new Bytes(usage == null ? null : usage.chargedBytes(limits.bytesPerZnode()),
                        usage == null ? null : usage.dataBytes(), limits.bytes()),
                limits.bytesPerZnode(),
                new Watches(meters.quota().watchesHeld(), meters.quota().watchesHeldMax(), limits.watchesPerSession()),
                exceeded, meters.quota().waits());
    }
}
