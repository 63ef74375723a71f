package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.zktenantproxy.proxy.tls.TenantCertificates;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The one place that answers "which tenant is this connection": asked once per accepted connection, before any
 * ZooKeeper byte of it is read (on a TLS listener, once the handshake has finished); everything after takes the
 * answer as given. A tenant's own listener answers its tenant ({@link #listenerOf}); the shared TLS listener answers
 * the one tenant the client certificate names ({@link #byCertificate}).
 */
@FunctionalInterface
interface TenantResolver {
    /**
     * @param channel the accepted client channel
     * @return the tenant the connection belongs to, or null when it belongs to none (the connection is refused)
     */
    Tenant resolve(Channel channel);

    /** Every connection accepted by the tenant's own listener belongs to that tenant. */
    static TenantResolver listenerOf(Tenant tenant) {
        return channel -> tenant;
    }

    /**
     * Every connection accepted by tenant {@code name}'s own listener belongs to that tenant as it is configured at
     * the moment of the accept (a reload may have replaced it); null once a reload removed it.
     */
    static TenantResolver listenerOf(String name, Function<String, Tenant> tenants) {
        return channel -> tenants.apply(name);
    }

    /**
     * The tenant the verified client certificate names, when it names exactly one. The listener's trust manager
     * refused every other certificate during the handshake; asking again here costs one look at the SANs and keeps
     * this fail-closed on its own. Both are read at each accept, so a reload's tenants apply to the next handshake.
     *
     * @param tenants    the tenant of a name, null for none
     * @param identities which tenants a certificate names
     */
    static TenantResolver byCertificate(Function<String, Tenant> tenants, Supplier<TenantCertificates> identities) {
        return channel -> {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl == null) {
                return null;
            }
            try {
                Certificate[] peer = ssl.engine().getSession().getPeerCertificates();
                if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
                    return null;
                }
                Set<String> named = identities.get().tenantsOf(leaf);
                return named.size() == 1 ? tenants.apply(named.iterator().next()) : null;
            } catch (SSLPeerUnverifiedException e) {
                return null;
            }
        };
    }
}
