package io.zktenantproxy.proxy.config;

import java.util.List;

/**
 * One tenant: who it is, where its tree lives upstream, and where its clients connect.
 *
 * @param name       tenant name, {@code [A-Za-z0-9][A-Za-z0-9_.-]*}; used in metric tags and logs
 * @param chroot     server path of the tenant's tree (default {@code /tenants/<name>})
 * @param listen     {@code host:port} this tenant's clients connect to
 * @param advertised {@code host:port} addresses written into the {@code /zookeeper/config} the tenant reads
 *                   (default: the proxy-wide list, else {@code listen} when it is not a wildcard)
 * @param requestsPerSecond this tenant's request budget, replacing {@link Limits#requestsPerSecond()} (null: that one;
 *                          0: none)
 * @param bytesPerSecond    this tenant's byte budget, replacing {@link Limits#bytesPerSecond()} (null: that one;
 *                          0: none)
 * @param quotaZnodes          this tenant's znode quota, replacing {@link Limits#quotaZnodes()} (null: that one; 0: none)
 * @param quotaBytes           this tenant's byte quota, replacing {@link Limits#quotaBytes()} (null: that one; 0: none)
 * @param maxWatchesPerSession watches per session for this tenant, replacing {@link Limits#maxWatchesPerSession()}
 *                             (null: that one; 0: none)
 * @param tls               whether {@code listen} speaks TLS (null: when the proxy has {@link ProxyConfig#tls()})
 * @param clientIdentities  client certificate identities that name this tenant, each {@code uri:}, {@code dns:} or
 *                          {@code cn:} and the exact value ({@link CertificateIdentityRule.Identity}), besides
 *                          those the listener's {@link TlsConfig#clientIdentity()} rule gives
 */
public record TenantConfig(String name, String chroot, String listen, List<String> advertised,
                           Integer requestsPerSecond, Integer bytesPerSecond, Long quotaZnodes, Long quotaBytes,
                           Integer maxWatchesPerSession, Boolean tls, List<String> clientIdentities) {
    public TenantConfig {
        if (chroot == null && name != null) {
            chroot = "/tenants/" + name;
        }
        advertised = advertised == null ? List.of() : List.copyOf(advertised);
        clientIdentities = clientIdentities == null ? List.of() : List.copyOf(clientIdentities);
    }

    /** A tenant with the listener's TLS setting and no exact certificate identities. */
    public TenantConfig(String name, String chroot, String listen, List<String> advertised,
                        Integer requestsPerSecond, Integer bytesPerSecond, Long quotaZnodes, Long quotaBytes,
                        Integer maxWatchesPerSession) {
        this(name, chroot, listen, advertised, requestsPerSecond, bytesPerSecond, quotaZnodes, quotaBytes,
                maxWatchesPerSession, null, null);
    }

    /** A tenant on the proxy-wide budgets. */
    public TenantConfig(String name, String chroot, String listen, List<String> advertised) {
        this(name, chroot, listen, advertised, null, null);
    }

    /** A tenant on the proxy-wide quotas. */
    public TenantConfig(String name, String chroot, String listen, List<String> advertised,
                        Integer requestsPerSecond, Integer bytesPerSecond) {
        this(name, chroot, listen, advertised, requestsPerSecond, bytesPerSecond, null, null, null);
    }

    /**
     * @return a tenant with every optional field at its default (chroot {@code /tenants/<name>}, the proxy-wide
     *     advertised addresses and budgets) and no listen address yet: {@code named("acme").withListen(...)}
     */
    public static TenantConfig named(String name) {
        return new TenantConfig(name, null, null, null, null, null, null, null, null);
    }

    /** @return this tenant with {@link #chroot()} replaced */
    public TenantConfig withChroot(String serverPath) {
        return new TenantConfig(name, serverPath, listen, advertised, requestsPerSecond, bytesPerSecond,
                quotaZnodes, quotaBytes, maxWatchesPerSession, tls, clientIdentities);
    }

    /** @return this tenant with {@link #listen()} replaced */
    public TenantConfig withListen(String hostPort) {
        return new TenantConfig(name, chroot, hostPort, advertised, requestsPerSecond, bytesPerSecond,
                quotaZnodes, quotaBytes, maxWatchesPerSession, tls, clientIdentities);
    }

    /** @return this tenant with {@link #advertised()} replaced */
    public TenantConfig withAdvertised(List<String> hostPorts) {
        return new TenantConfig(name, chroot, listen, hostPorts, requestsPerSecond, bytesPerSecond,
                quotaZnodes, quotaBytes, maxWatchesPerSession, tls, clientIdentities);
    }

    /** @return this tenant with a request budget of its own (0: none) */
    public TenantConfig withRequestsPerSecond(int requests) {
        return new TenantConfig(name, chroot, listen, advertised, requests, bytesPerSecond, quotaZnodes, quotaBytes,
                maxWatchesPerSession, tls, clientIdentities);
    }

    /** @return this tenant with a byte budget of its own (0: none) */
    public TenantConfig withBytesPerSecond(int bytes) {
        return new TenantConfig(name, chroot, listen, advertised, requestsPerSecond, bytes, quotaZnodes, quotaBytes,
                maxWatchesPerSession, tls, clientIdentities);
    }

    /** @return this tenant with quotas of its own (null: the proxy-wide one; 0: none) */
    public TenantConfig withQuotas(Long znodes, Long bytes, Integer watchesPerSession) {
        return new TenantConfig(name, chroot, listen, advertised, requestsPerSecond, bytesPerSecond, znodes, bytes,
                watchesPerSession, tls, clientIdentities);
    }

    /** @return this tenant with its listener plain ({@code false}) or TLS ({@code true}); null: the proxy's setting */
    public TenantConfig withTls(Boolean listenerTls) {
        return new TenantConfig(name, chroot, listen, advertised, requestsPerSecond, bytesPerSecond, quotaZnodes,
                quotaBytes, maxWatchesPerSession, listenerTls, clientIdentities);
    }

    /** @return this tenant with exact client certificate identities (uri:..., dns:..., cn:...) */
    public TenantConfig withClientIdentities(List<String> identities) {
        return new TenantConfig(name, chroot, listen, advertised, requestsPerSecond, bytesPerSecond, quotaZnodes,
                quotaBytes, maxWatchesPerSession, tls, identities);
    }

    /** @return whether this tenant's own listener speaks TLS under {@code proxyTls} (null: the proxy has no TLS) */
    public boolean listenerTls(TlsConfig proxyTls) {
        return proxyTls != null && (tls == null || tls);
    }

    /** @return this tenant's quotas: its own where set, else the proxy-wide ones in {@code limits} */
    public QuotaLimits quotas(Limits limits) {
        return new QuotaLimits(quotaZnodes != null ? quotaZnodes : limits.quotaZnodes(),
                quotaBytes != null ? quotaBytes : limits.quotaBytes(),
                maxWatchesPerSession != null ? maxWatchesPerSession : limits.maxWatchesPerSession(),
                limits.quotaBytesPerZnode());
    }

    /** @return requests per second this tenant may send through one proxy instance, 0 for no budget */
    public int requestsPerSecond(Limits limits) {
        return requestsPerSecond != null ? requestsPerSecond : limits.requestsPerSecond();
    }

    /** @return request and reply bytes per second this tenant may move through one proxy instance, 0 for none */
    public int bytesPerSecond(Limits limits) {
        return bytesPerSecond != null ? bytesPerSecond : limits.bytesPerSecond();
    }
}
