package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.config.FileChangeWatcher;
import io.zktenantproxy.proxy.tls.ServerTls;
import io.zktenantproxy.proxy.tls.TenantCertificates;
import io.zktenantproxy.proxy.tls.UpstreamTls;
import io.zktenantproxy.proxy.upstream.OperatorClientTls;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.client.ZKClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running proxy's TLS, both hops: the tenant listeners' {@link ServerTls}, the {@link UpstreamTls} of the tenants'
 * upstream connections and the proxy's own ZooKeeper client's settings ({@link OperatorClientTls}), and the watch
 * that reloads them all when a certificate file changes (or on {@link #reload}, which SIGHUP calls). A reload that
 * finds a file unusable keeps the previous certificates, logs why and counts {@code zktp_tls_reloads_total{outcome=
 * refused}}; live connections are never touched either way.
 */
public final class ProxyTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyTls.class);
    /** Netty's JVM-wide default of client host name verification ({@code HTTPS}, or {@code NONE}). */
    static final String NETTY_ENDPOINT_VERIFICATION = "io.netty.handler.ssl.defaultEndpointVerificationAlgorithm";

    private final ServerTls listeners;
    private final UpstreamTls upstream;
    private final OperatorClientTls operatorClient;
    private final ProxyMetrics metrics;
    private FileChangeWatcher watcher;

    private ProxyTls(ServerTls listeners, UpstreamTls upstream, OperatorClientTls operatorClient,
                     ProxyMetrics metrics) {
        this.listeners = listeners;
        this.upstream = upstream;
        this.operatorClient = operatorClient;
        this.metrics = metrics;
    }

    /**
     * Loads and checks every certificate file {@code config} names.
     *
     * @throws ConfigException one line per unusable file
     */
    static ProxyTls load(ProxyConfig config, ProxyMetrics metrics) throws ConfigException {
        List<String> errors = new ArrayList<>();
        ServerTls listeners = null;
        UpstreamTls upstream = null;
        String provider = config.tls() == null ? "auto" : config.tls().provider();
        if (config.tls() != null) {
            try {
                listeners = new ServerTls(config.tls(), TenantCertificates.of(config));
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
        }
        if (config.upstream().tls() != null) {
            try {
                upstream = new UpstreamTls(config.upstream().tls(), provider);
            } catch (ConfigException e) {
                errors.addAll(e.errors());
            }
            if (!config.upstream().tls().hostnameVerification()
                    && !"NONE".equalsIgnoreCase(System.getProperty(NETTY_ENDPOINT_VERIFICATION))) {
                // Netty 4.2 makes every client context verify host names unless told otherwise, and the ZooKeeper
                // 3.9 client does not tell it: only this JVM-wide switch, read once, turns it off for that client.
                errors.add("upstream.tls.hostnameVerification: false also needs the JVM started with -D"
                        + NETTY_ENDPOINT_VERIFICATION + "=NONE (e.g. in JAVA_TOOL_OPTIONS), or the proxy's own "
                        + "ZooKeeper client still verifies host names and never connects");
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        OperatorClientTls operatorClient = upstream == null ? null : OperatorClientTls.of(config.upstream().tls());
        return new ProxyTls(listeners, upstream, operatorClient, metrics);
    }

    /**
     * Loads every certificate file {@code config} names and lets them go: what {@code serve} and {@code check-config}
     * do before anything starts.
     *
     * @throws ConfigException one line per unusable file
     */
    public static void check(ProxyConfig config) throws ConfigException {
        load(config, null).close();
    }

    /** Starts polling the certificate files every {@code interval}; a change reloads. */
    void watch(Duration interval) {
        List<Path> files = new ArrayList<>();
        if (listeners != null) {
            files.addAll(listeners.files());
        }
        if (upstream != null) {
            files.addAll(upstream.files());
        }
        if (!files.isEmpty()) {
            watcher = FileChangeWatcher.start("certificate-watcher", files, interval, this::reload);
        }
    }

    /**
     * Reads every certificate file again; new handshakes use what loaded, the rest keeps its previous files. The
     * watcher's thread and SIGHUP's may call at once: one reload at a time.
     */
    public synchronized void reload() {
        if (listeners != null) {
            try {
                listeners.reload();
                metrics.tlsReload("listeners", true);
                LOG.info("tenant listeners' TLS reloaded: certificate {}, valid until {}",
                        listeners.certificate().getSubjectX500Principal().getName(),
                        listeners.certificate().getNotAfter().toInstant());
            } catch (ConfigException e) {
                metrics.tlsReload("listeners", false);
                LOG.warn("tenant listeners' TLS not reloaded, the previous certificates stay: {}",
                        String.join("; ", e.errors()));
            }
        }
        if (upstream != null) {
            try {
                upstream.reload();
                operatorClient.refresh();
                metrics.tlsReload("upstream", true);
                LOG.info("upstream TLS reloaded");
            } catch (ConfigException e) {
                metrics.tlsReload("upstream", false);
                LOG.warn("upstream TLS not reloaded, the previous certificates stay: {}", String.join("; ", e.errors()));
            } catch (UncheckedIOException e) {
                metrics.tlsReload("upstream", false);
                LOG.warn("upstream TLS reloaded for tenants' connections, but not for the proxy's own client: {}",
                        e.getMessage());
            }
        }
    }

    /** @return the tenant listeners' TLS, or null when every listener is plain */
    ServerTls listeners() {
        return listeners;
    }

    /** @return TLS towards the ensemble, or null for plain TCP */
    UpstreamTls upstream() {
        return upstream;
    }

    /** @return the proxy's own ZooKeeper client's TLS settings, or null for plain TCP */
    ZKClientConfig operatorClientConfig() {
        return operatorClient == null ? null : operatorClient.clientConfig();
    }

    /** @return the TLS implementation of the listeners ({@code openssl (...)}, {@code jdk}), or null without TLS */
    public String listenerProvider() {
        return listeners == null ? null : listeners.provider();
    }

    /** @return the TLS implementation towards the ensemble, or null for plain TCP */
    public String upstreamProvider() {
        return upstream == null ? null : upstream.provider();
    }

    /** @return a phrase for the start-up line */
    String describe() {
        StringBuilder sb = new StringBuilder();
        if (listeners != null) {
            sb.append("; listener TLS on ").append(listeners.provider())
                    .append(listeners.config().mutual() ? ", client certificates required" : "");
        }
        if (upstream != null) {
            sb.append("; upstream TLS on ").append(upstream.provider())
                    .append(upstream.config().cert() != null ? " with the proxy's client certificate" : "");
        }
        return sb.toString();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        if (operatorClient != null) {
            operatorClient.close();
        }
    }
}
