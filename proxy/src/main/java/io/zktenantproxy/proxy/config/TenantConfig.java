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
 */
public record TenantConfig(String name, String chroot, String listen, List<String> advertised) {
    public TenantConfig {
        if (chroot == null && name != null) {
            chroot = "/tenants/" + name;
        }
        advertised = advertised == null ? List.of() : List.copyOf(advertised);
    }
}
