package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;

/**
 * The one place that answers "which tenant is this connection": asked once per accepted connection, before any
 * byte of it is read; everything after takes the answer as given. Today a listener belongs to one tenant
 * ({@link #listenerOf}); a resolver that reads the TLS client certificate plugs in here, answering after the
 * handshake.
 */
@FunctionalInterface
interface TenantResolver {
    /**
     * @param channel the accepted client channel
     * @return the tenant the connection belongs to, never null
     */
    Tenant resolve(Channel channel);

    /** Every connection accepted by the tenant's own listener belongs to that tenant. */
    static TenantResolver listenerOf(Tenant tenant) {
        return channel -> tenant;
    }
}
