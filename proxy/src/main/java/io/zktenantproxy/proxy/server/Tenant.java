package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.protocol.SessionQuotas;
import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.protocol.ZnodeQuota;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.QuotaLimits;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import io.zktenantproxy.proxy.quota.QuotaUsage;
import io.zktenantproxy.proxy.quota.TenantQuota;
import io.zktenantproxy.proxy.quota.UsageSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A tenant as the running proxy knows it: name, chroot, listen address, the {@code /zookeeper/config} data it is
 * served, its request and byte budget, its quotas, its ACL policy (with its identity on the ensemble, if any), and
 * its meters. Shared by all of the tenant's connections; only
 * the budget and the quota's count change, and both are thread-safe.
 */
public final class Tenant {
    private final String name;
    private final TenantChroot chroot;
    private volatile HostPort listen;
    private volatile byte[] ensembleConfig;
    private final TenantMeters meters;
    private final TenantBudget budget;
    // changed in place by a reload (reconfigure); read by the admin API and new connections
    private volatile int requestsPerSecond;
    private volatile int bytesPerSecond;
    private volatile QuotaLimits quotaLimits;
    private volatile TenantQuota quota;
    private volatile SessionQuotas sessionQuotas;
    private final UsageSource usage;
    private final AclPolicy aclPolicy;

    /** A tenant without a count of its usage: its znode and byte quotas are not enforced (handler tests). */
    Tenant(TenantConfig config, List<String> defaultAdvertised, Limits limits, TenantMeters meters) {
        this(config, defaultAdvertised, limits, meters, null, AclPolicy.NONE);
    }

    /**
     * @param usage     where the tenant's usage is counted, or null to enforce only its watch quota
     * @param aclPolicy what the tenant's ACL lists and identity replies become ({@code OperatorAcl#policy})
     */
    Tenant(TenantConfig config, List<String> defaultAdvertised, Limits limits, TenantMeters meters,
           UsageSource usage, AclPolicy aclPolicy) {
        this.aclPolicy = aclPolicy;
        this.usage = usage;
        this.name = config.name();
        this.chroot = new TenantChroot(config.chroot());
        this.listen = config.listen() == null ? null : HostPort.parse(config.listen());
        this.ensembleConfig = ensembleConfig(config, defaultAdvertised, listen);
        this.meters = meters;
        this.requestsPerSecond = config.requestsPerSecond(limits);
        this.bytesPerSecond = config.bytesPerSecond(limits);
        this.budget = TenantBudget.of(requestsPerSecond, bytesPerSecond);
        this.quotaLimits = config.quotas(limits);
        this.quota = usage != null && quotaLimits.accounted()
                ? new TenantQuota(name, chroot.root(), quotaLimits, requestsPerSecond, bytesPerSecond, usage) : null;
        this.sessionQuotas = new SessionQuotas(quota == null ? ZnodeQuota.UNLIMITED : quota,
                quotaLimits.bytesPerZnode(), quotaLimits.watchesPerSession());
        meters.quota().gauges(() -> used(false), () -> used(true), () -> new long[] {
            this.quotaLimits.znodes(), this.quotaLimits.bytes(), this.quotaLimits.watchesPerSession()});
    }

    /**
     * Applies a reload's budget and quotas to the tenant, for its open connections as well as new ones: the budget
     * and the znode and byte quotas change in place (the limits znode on the ensemble is rewritten); the watch quota
     * per session and the per-znode charge apply to sessions that start afterwards (a session's watch ledger is sized
     * when it starts), as does switching between quota and no quota.
     *
     * @param config the tenant's new configuration; its name and chroot are this tenant's (a chroot change makes a new
     *               tenant)
     * @param limits the new defaults the tenant inherits from
     * @param defaultAdvertised the proxy's advertised addresses, for a tenant that names none ({@code
     *               /zookeeper/config} of connections opened afterwards)
     */
    synchronized void reconfigure(TenantConfig config, Limits limits, List<String> defaultAdvertised) {
        this.listen = config.listen() == null ? null : HostPort.parse(config.listen());
        this.ensembleConfig = ensembleConfig(config, defaultAdvertised, listen);
        int rps = config.requestsPerSecond(limits);
        int bps = config.bytesPerSecond(limits);
        QuotaLimits nextQuota = config.quotas(limits);
        budget.update(rps, bps);
        TenantQuota current = quota;
        TenantQuota next = current;
        if (current != null && nextQuota.accounted()) {
            current.update(nextQuota, rps, bps);
        } else if (current == null && usage != null && nextQuota.accounted()) {
            next = new TenantQuota(name, chroot.root(), nextQuota, rps, bps, usage);
        } else if (!nextQuota.accounted()) {
            next = null;
        }
        this.requestsPerSecond = rps;
        this.bytesPerSecond = bps;
        this.quotaLimits = nextQuota;
        this.quota = next;
        this.sessionQuotas = new SessionQuotas(next == null ? ZnodeQuota.UNLIMITED : next,
                nextQuota.bytesPerZnode(), nextQuota.watchesPerSession());
    }

    /** The {@code /zookeeper/config} the tenant's connections read: its advertised addresses, else its listener. */
    private static byte[] ensembleConfig(TenantConfig config, List<String> defaultAdvertised, HostPort listen) {
        List<String> advertised = config.advertised().isEmpty() ? defaultAdvertised : config.advertised();
        List<HostPort> addresses = new ArrayList<>();
        advertised.forEach(a -> addresses.add(HostPort.parse(a)));
        if (addresses.isEmpty() && listen != null && !listen.wildcard() && listen.port() != 0) {
            addresses.add(listen);
        }
        return EnsembleConfigData.of(addresses);
    }

    private double used(boolean bytes) {
        QuotaUsage usage = quota == null ? null : quota.lastCount();
        if (usage == null) {
            return Double.NaN;
        }
        return bytes ? usage.chargedBytes(quotaLimits.bytesPerZnode()) : usage.znodes();
    }

    public String name() {
        return name;
    }

    public TenantChroot chroot() {
        return chroot;
    }

    /** @return the tenant's own listener, or null when it is reached through the shared TLS listener only */
    public HostPort listen() {
        return listen;
    }

    byte[] ensembleConfig() {
        return ensembleConfig;
    }

    /** @return the tenant's request budget on this instance, frames per second; 0 for none */
    public int requestsPerSecond() {
        return requestsPerSecond;
    }

    /** @return the tenant's byte budget on this instance, bytes per second; 0 for none */
    public int bytesPerSecond() {
        return bytesPerSecond;
    }

    TenantBudget budget() {
        return budget;
    }

    /** @return the tenant's quotas (0: none) */
    public QuotaLimits quotaLimits() {
        return quotaLimits;
    }

    /** @return the tenant's znode and byte quota, or null when it has none (or no count of its usage) */
    public TenantQuota quota() {
        return quota;
    }

    SessionQuotas sessionQuotas() {
        return sessionQuotas;
    }

    /** @return the tenant's ACL policy; {@link AclPolicy#identity()} is its identity upstream, if it has one */
    public AclPolicy aclPolicy() {
        return aclPolicy;
    }

    public TenantMeters meters() {
        return meters;
    }

    @Override
    public String toString() {
        return name + "(" + chroot + ")";
    }
}
