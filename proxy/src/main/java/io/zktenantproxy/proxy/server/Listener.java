package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.tls.ServerTls;

/**
 * One socket the proxy accepts tenant connections on, and how a connection's tenant is decided there.
 *
 * @param name     the tenant's name for its own listener, {@link ServerTls#SHARED} for the shared TLS listener; the
 *                 {@code listener} tag of the TLS meters
 * @param tls      the listeners' TLS, or null for a plain listener
 * @param boundTenant the tenant of a tenant's own listener, whose certificates alone a TLS listener with a client CA
 *                 takes; null for the shared listener
 * @param resolver which tenant an accepted connection belongs to (after the handshake, on a TLS listener)
 */
record Listener(String name, ServerTls tls, String boundTenant, TenantResolver resolver) {
    /** @return a tenant's own listener, plain ({@code tls} null) or TLS */
    static Listener of(Tenant tenant, ServerTls tls) {
        return new Listener(tenant.name(), tls, tenant.name(), TenantResolver.listenerOf(tenant));
    }

    /**
     * @return tenant {@code name}'s own listener, whose connections belong to the tenant of that name as a reload
     *     last configured it
     */
    static Listener of(String name, ServerTls tls, java.util.function.Function<String, Tenant> tenants) {
        return new Listener(name, tls, name, TenantResolver.listenerOf(name, tenants));
    }

    /** @return the shared TLS listener, where the verified client certificate decides the tenant */
    static Listener shared(ServerTls tls, TenantResolver byCertificate) {
        return new Listener(ServerTls.SHARED, tls, null, byCertificate);
    }
}
