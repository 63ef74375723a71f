package io.zktenantproxy.proxy.config;

/**
 * A tenant's quotas on what the ensemble keeps for it, resolved from its own settings and {@link Limits}; 0 means no
 * limit. The znode and byte quotas hold across every proxy instance (usage is ZooKeeper's own count, kept in
 * {@code /zookeeper/quota/<chroot>/zookeeper_stats}); the watch quota holds per session.
 *
 * <p>Bytes are charged as {@code data + bytesPerZnode} per znode: ZooKeeper keeps a znode's path twice (the key of
 * its node table and the name in its parent's child set) and a reference to its ACL list beside fixed objects the
 * znode quota bounds, and the proxy refuses any znode whose {@code 2 * path + acl} exceeds {@code bytesPerZnode}, so
 * {@code bytes} bounds data, names and ACL lists together.
 *
 * @param znodes            znodes under the chroot, any kind, the chroot itself not counted
 * @param bytes             data bytes plus {@code bytesPerZnode} for each of those znodes
 * @param watchesPerSession watches one session may hold (data, exist, child, persistent, persistent recursive)
 * @param bytesPerZnode     the per-znode charge, and the most a znode's path and ACL list may take
 */
public record QuotaLimits(long znodes, long bytes, int watchesPerSession, int bytesPerZnode) {

    /** @return whether the znode or the byte quota is set, so usage must be kept */
    public boolean accounted() {
        return znodes > 0 || bytes > 0;
    }
}
