package io.zktenantproxy.proxy.quota;

/**
 * A tenant's usage as ZooKeeper last counted it ({@code zookeeper_stats} under {@code /zookeeper/quota<chroot>}),
 * the chroot znode itself taken out.
 *
 * @param znodes    znodes under the chroot, every kind
 * @param dataBytes their data, bytes
 */
public record QuotaUsage(long znodes, long dataBytes) {

    /** @return bytes charged against the byte quota: data plus {@code bytesPerZnode} per znode */
    public long chargedBytes(int bytesPerZnode) {
        return dataBytes + znodes * bytesPerZnode;
    }
}
