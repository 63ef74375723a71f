package io.zktenantproxy.proxy.admin;

import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.ReloadStatus;
import io.zktenantproxy.proxy.server.ProxyTls;
import io.zktenantproxy.proxy.server.Tenant;
import io.zktenantproxy.proxy.tls.ServerTls;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One tenant in {@code GET /tenants}.
 *
 * @param name        the configured name
 * @param chroot      the server path of the tenant's tree
 * @param listen      the configured listen address, null when the tenant is reached through the shared TLS listener
 *                    only
 * @param port        the port actually bound, null without a listener of its own
 * @param tls         whether the tenant's own listener speaks TLS
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
record TenantSummary(String name, String chroot, String listen, Integer port, boolean tls, int connections,
                     int sessions,
                     long requests, int requestsPerSecond, int bytesPerSecond, long paced, QuotaSummary quota,
                     String identity) {

    /**
     * The body of {@code GET /tenants}.
     *
     * @param tenants   every tenant, in configuration order
     * @param transport the Netty transport the client and upstream channels run on ({@code io_uring}, {@code epoll},
     *                  {@code nio}; {@code server.transport})
     * @param tls       the proxy's TLS ({@link TlsSummary})
     * @param config    the configuration generation and the last reload's outcome
     */
    record Tenants(List<TenantSummary> tenants, String transport, TlsSummary tls, ReloadStatus config) {
    }

    /**
     * The proxy's TLS as {@code /tenants} shows it; never a key, password or file content.
     *
     * @param listeners  the tenant listeners' TLS implementation ({@code openssl (BoringSSL)}, {@code jdk}), or null
     *                   when every listener is plain
     * @param upstream   the TLS implementation towards the ensemble, or null for plain TCP
     * @param sharedPort the port of the shared TLS listener, or null for none
     */
    record TlsSummary(String listeners, String upstream, Integer sharedPort) {
    }

    /** @return every tenant of {@code proxy}, in configuration order */
    static Tenants of(ProxyServer proxy) {
        List<TenantSummary> list = new ArrayList<>();
        for (Tenant t : proxy.tenants()) {
            Integer port = proxy.listenerAddress(t.name()).map(InetSocketAddress::getPort).orElse(null);
            list.add(new TenantSummary(t.name(), t.chroot().root(), t.listen() == null ? null : t.listen().toString(),
                    port, proxy.listenerTls(t.name()), t.meters().connections(), t.meters().sessions(),
                    t.meters().requests(), t.requestsPerSecond(), t.bytesPerSecond(), t.meters().paced(),
                    QuotaSummary.of(t), t.aclPolicy().identity() == null ? null
                            : t.aclPolicy().identity().tenantUser()));
        }
        ProxyTls tls = proxy.tls();
        return new Tenants(list, proxy.transport(), new TlsSummary(tls.listenerProvider(), tls.upstreamProvider(),
                proxy.listenerAddress(ServerTls.SHARED).map(InetSocketAddress::getPort).orElse(null)),
                proxy.lastReload());
    }
}
