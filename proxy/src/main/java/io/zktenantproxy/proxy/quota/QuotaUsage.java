package io.zktenantproxy.proxy.quota;

import org.apache.zookeeper.StatsTrack;

/**
 * A tenant's usage as ZooKeeper last counted it ({@code zookeeper_stats} under {@code /zookeeper/quota<chroot>}),
 * the chroot znode itself taken out.
 *
 * @param znodes    znodes under the chroot, every kind
 * @param dataBytes their data, bytes
 */
public record QuotaUsage(long znodes, long dataBytes) {

    /**
     * @param stats the {@code zookeeper_stats} of a chroot, as ZooKeeper keeps it: {@code count} includes the chroot
     *              znode itself (the quota's root), {@code bytes} is data only, the chroot's included
     * @return the usage under the chroot: the count less the chroot itself; negative values (never written) read as 0
     */
    public static QuotaUsage of(StatsTrack stats) {
        return new QuotaUsage(Math.max(0, stats.getCount() - 1), Math.max(0, stats.getBytes()));
    }

    /** @return bytes charged against the byte quota: data plus {@code bytesPerZnode} per znode */
    public long chargedBytes(int bytesPerZnode) {
        return dataBytes + znodes * bytesPerZnode;
    }
}
