package io.zktenantproxy.proxy.runtime;

import io.zktenantproxy.proxy.admin.AdminServer;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.embedded.EmbeddedZooKeeper;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.server.ProxyServer;

/**
 * Everything one proxy process runs: the proxy, its admin HTTP server, and the embedded ZooKeeper when there is one.
 * {@link #close} stops them in that order (clients first, so they move on while the rest winds down).
 */
public final class ProxyRuntime implements AutoCloseable {
    private final ProxyServer proxy;
    private final AdminServer admin;
    private final EmbeddedZooKeeper embedded;

    private ProxyRuntime(ProxyServer proxy, AdminServer admin, EmbeddedZooKeeper embedded) {
        this.proxy = proxy;
        this.admin = admin;
        this.embedded = embedded;
    }

    /**
     * @param config   with {@code upstream} set
     * @param embedded the embedded ZooKeeper serving as upstream, closed with the runtime; or null
     */
    public static ProxyRuntime start(ProxyConfig config, EmbeddedZooKeeper embedded) {
        ProxyServer proxy = ProxyServer.start(config, ProxyMetrics.prometheus(config));
        AdminServer admin = null;
        try {
            if (config.admin() != null && config.admin().listen() != null) {
                admin = AdminServer.start(HostPort.parse(config.admin().listen()), config.admin().token(), proxy);
            }
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
        return new ProxyRuntime(proxy, admin, embedded);
    }

    /** @return the proxy */
    public ProxyServer proxy() {
        return proxy;
    }

    /** @return the admin server, or null when disabled */
    public AdminServer admin() {
        return admin;
    }

    /** Stops the proxy, then the admin server, then the embedded ZooKeeper. */
    @Override
    public void close() {
        proxy.close();
        if (admin != null) {
            admin.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
