package io.zktenantproxy.proxy.runtime;

import io.zktenantproxy.proxy.admin.AdminServer;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.embedded.EmbeddedZooKeeper;
import io.zktenantproxy.proxy.flink.FlinkHaScanner;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.ReloadStatus;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.FileChangeWatcher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one proxy process runs: the proxy, its admin HTTP server, the embedded ZooKeeper when there is one, the
 * periodic Flink scan behind the Flink meters ({@link FlinkScanLoop}), and,
 * when the configuration comes from a file, its reloads (the file watched, {@link #reload} for SIGHUP and the admin
 * API's {@code POST /reload}). {@link #close} stops them in that order (clients first, so they move on while the rest
 * winds down).
 */
public final class ProxyRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyRuntime.class);

    /** Reads the configuration again, as at start: the file, with the command line's overrides applied. */
    @FunctionalInterface
    public interface ConfigSource {
        /**
         * @return the configuration as it is now
         * @throws ConfigException one line per problem, as {@code check-config} prints them
         */
        ProxyConfig read() throws ConfigException;
    }

    private final ProxyServer proxy;
    private final AdminServer admin;
    private final EmbeddedZooKeeper embedded;
    private final ConfigSource source;
    private final FileChangeWatcher watcher;
    /** The periodic scan behind the Flink meters; started last, closed first. */
    private final FlinkScanLoop flinkScan;

    private ProxyRuntime(ProxyServer proxy, AdminServer admin, EmbeddedZooKeeper embedded, ConfigSource source,
                         FileChangeWatcher watcher, FlinkHaScanner scanner) {
        this.proxy = proxy;
        this.admin = admin;
        this.embedded = embedded;
        this.source = source;
        this.watcher = watcher;
        this.flinkScan = FlinkScanLoop.start(proxy, scanner);
    }

    /**
     * @param config   with {@code upstream} set
     * @param embedded the embedded ZooKeeper serving as upstream, closed with the runtime; or null
     */
    public static ProxyRuntime start(ProxyConfig config, EmbeddedZooKeeper embedded) {
        return start(config, embedded, null, null, null);
    }

    /**
     * Starts with reloads from a configuration file.
     *
     * @param config   with {@code upstream} set
     * @param embedded the embedded ZooKeeper serving as upstream, closed with the runtime; or null
     * @param file     the configuration file, watched every {@code checkInterval} (a Kubernetes ConfigMap's
     *                 {@code ..data} swap included); null for no file (the sidecar's flags): no reloads
     * @param source   reads the configuration again (with the embedded ZooKeeper's address, if any); null with
     *                 {@code file}
     * @param checkInterval time between looks at the file
     */
    public static ProxyRuntime start(ProxyConfig config, EmbeddedZooKeeper embedded, Path file, ConfigSource source,
                                     Duration checkInterval) {
        ProxyServer proxy = ProxyServer.start(config, ProxyMetrics.prometheus(config));
        AdminServer admin = null;
        FileChangeWatcher watcher = null;
        ProxyRuntime[] self = new ProxyRuntime[1];
        // one per process: the admin view and the meters' scan share its memory of the clusters seen alive
        FlinkHaScanner scanner = new FlinkHaScanner(proxy.operatorClient());
        try {
            if (config.admin() != null && config.admin().listen() != null) {
                admin = AdminServer.start(HostPort.parse(config.admin().listen()), config.admin().resolvedToken(), proxy,
                        source == null ? null : () -> self[0].reload(),
                        scanner);
            }
            if (file != null && source != null) {
                watcher = FileChangeWatcher.start("config-watcher", List.of(file),
                        checkInterval, () -> self[0].reload());
            }
        } catch (RuntimeException e) {
            proxy.close();
            if (admin != null) {
                admin.close();
            }
            throw e;
        }
        self[0] = new ProxyRuntime(proxy, admin, embedded, source, watcher, scanner);
        return self[0];
    }

    /**
     * Reads the configuration again and applies it ({@link ProxyServer#reload}); a file that does not parse is refused
     * as an invalid one is, and the running configuration stays.
     *
     * @return the outcome
     * @throws IllegalStateException when the configuration did not come from a file
     */
    public synchronized ReloadStatus reload() {
        if (source == null) {
            throw new IllegalStateException("no configuration file to reload (the proxy runs from flags)");
        }
        ProxyConfig next;
        try {
            next = source.read();
        } catch (ConfigException e) {
            return proxy.refuseReload(e.errors());
        } catch (RuntimeException e) {
            LOG.warn("reload: reading the configuration failed", e);
            return proxy.refuseReload(List.of(e.toString()));
        }
        return proxy.reload(next);
    }

    /** @return whether {@link #reload} can be asked (the configuration came from a file) */
    public boolean reloadable() {
        return source != null;
    }

    /** @return the proxy */
    public ProxyServer proxy() {
        return proxy;
    }

    /** @return the admin server, or null when disabled */
    public AdminServer admin() {
        return admin;
    }

    /** Stops the Flink scan, the proxy, then the admin server, then the embedded ZooKeeper. */
    @Override
    public void close() {
        flinkScan.close();
        if (watcher != null) {
            watcher.close();
        }
        proxy.close();
        if (admin != null) {
            admin.close();
        }
        if (embedded != null) {
            embedded.close();
        }
    }
}
