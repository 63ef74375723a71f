package io.zktenantproxy.proxy.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import java.util.Optional;

/** Finds the tenant a {@code /tenants/{name}/...} route names, and the one answer for a name no tenant has. */
final class TenantLookup {
    private TenantLookup() {
    }

    /** @return the configured tenant called {@code name}, if any */
    static Optional<Tenant> find(ProxyServer proxy, String name) {
        return proxy.tenants().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** @return 404 {@code {"status": 404, "error": "no tenant 'NAME'"}} */
    static Answer unknown(String name) {
        return Answer.error(HttpResponseStatus.NOT_FOUND, "no tenant '" + name + "'");
    }
}
