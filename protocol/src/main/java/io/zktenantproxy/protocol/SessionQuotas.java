package io.zktenantproxy.protocol;

/**
 * The quotas one connection enforces: the tenant's shared znode and byte quota, and its own watch limit.
 *
 * @param znodes            the tenant's znode and byte quota ({@link ZnodeQuota#UNLIMITED} for none)
 * @param bytesPerZnode     the most {@code 2 * path + acl} of one znode may take (see {@link QuotaCharge}); only
 *                          checked when {@code znodes} is not {@link ZnodeQuota#UNLIMITED}
 * @param watchesPerSession watch entries the session may hold, 0 for no limit (see {@link WatchLedger})
 */
public record SessionQuotas(ZnodeQuota znodes, int bytesPerZnode, int watchesPerSession) {
    /** No quota at all. */
    public static final SessionQuotas NONE = new SessionQuotas(ZnodeQuota.UNLIMITED, Integer.MAX_VALUE, 0);
}
