package io.zktenantproxy.proxy.admin;

import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import java.util.ArrayList;
import java.util.List;

/**
 * One tenant in {@code GET /tenants}.
 *
 * @param name        the configured name
 * @param chroot      the server path of the tenant's tree
 * @param listen      the configured listen address
 * @param port        the port actually bound
 * @param connections open client connections now
 * @param sessions    connections with an established session now
 * @param requests    requests counted since start, every opcode and outcome
 * @param requestsPerSecond the tenant's request budget on this instance (frames per second; 0: none)
 * @param bytesPerSecond    the tenant's byte budget on this instance (0: none)
 * @param paced       client frames held back by the budget since start
 * @param quota       the tenant's quotas, usage and refusals ({@link QuotaSummary})
 * @param identity    the digest user name the tenant acts as on the ensemble ({@code zktp-tenant-NAME}), or null
 *                    without an upstream secret; never a password or digest
 */
record TenantSummary(String name, String chroot, String listen, int port, int connections, int sessions,
                     long requests, int requestsPerSecond, int bytesPerSecond, long paced, QuotaSummary quota,
                     String identity) {

    /** The body of {@code GET /tenants}. */
    record Tenants(List<TenantSummary> tenants) {
    }

    /** @return every tenant of {@code proxy}, in configuration order */
    static Tenants of(ProxyServer proxy) {
        List<TenantSummary> list = new ArrayList<>();
        for (Tenant t : proxy.tenants()) {
            list.add(new TenantSummary(t.name(), t.chroot().root(), t.listen().toString(),
                    proxy.address(t.name()).getPort(), t.meters().connections(), t.meters().sessions(),
                    t.meters().requests(), t.requestsPerSecond(), t.bytesPerSecond(), t.meters().paced(),
                    QuotaSummary.of(t), t.aclPolicy().identity() == null ? null
                            : t.aclPolicy().identity().tenantUser()));
        }
        return new Tenants(list);
    }
}
