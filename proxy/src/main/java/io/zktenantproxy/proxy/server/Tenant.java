package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.util.ArrayList;
import java.util.List;

/**
 * A tenant as the running proxy knows it: name, chroot, listen address, the {@code /zookeeper/config} data it is
 * served, its request and byte budget, and its meters. Shared by all of the tenant's connections; only the budget
 * changes, and it is thread-safe.
 */
public final class Tenant {
    private final String name;
    private final TenantChroot chroot;
    private final HostPort listen;
    private final byte[] ensembleConfig;
    private final TenantMeters meters;
    private final TenantBudget budget;
    private final int requestsPerSecond;
    private final int bytesPerSecond;

    Tenant(TenantConfig config, List<String> defaultAdvertised, Limits limits, TenantMeters meters) {
        this.name = config.name();
        this.chroot = new TenantChroot(config.chroot());
        this.listen = HostPort.parse(config.listen());
        List<String> advertised = config.advertised().isEmpty() ? defaultAdvertised : config.advertised();
        List<HostPort> addresses = new ArrayList<>();
        advertised.forEach(a -> addresses.add(HostPort.parse(a)));
        if (addresses.isEmpty() && !listen.wildcard() && listen.port() != 0) {
            addresses.add(listen);
        }
        this.ensembleConfig = EnsembleConfigData.of(addresses);
        this.meters = meters;
        this.requestsPerSecond = config.requestsPerSecond(limits);
        this.bytesPerSecond = config.bytesPerSecond(limits);
        this.budget = TenantBudget.of(requestsPerSecond, bytesPerSecond);
    }

    public String name() {
        return name;
    }

    public TenantChroot chroot() {
        return chroot;
    }

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

    public TenantMeters meters() {
        return meters;
    }

    @Override
    public String toString() {
        return name + "(" + chroot + ")";
    }
}
