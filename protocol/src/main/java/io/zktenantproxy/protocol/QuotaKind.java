package io.zktenantproxy.protocol;

/** What a tenant ran out of when a request is refused with {@link KeeperCode#QUOTA_EXCEEDED}; a metric tag. */
public enum QuotaKind {
    /** The tenant's znode quota, across every proxy instance. */
    ZNODES,
    /** The tenant's byte quota (data plus the per-znode charge), or one znode's path and ACL over the allowance. */
    BYTES,
    /** The session's watch quota. */
    WATCHES;

    /** @return the metric tag value: {@code znodes}, {@code bytes}, {@code watches} */
    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
