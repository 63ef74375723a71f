package io.zktenantproxy.proxy.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;

/**
 * The client side TLS towards the ensemble's {@code secureClientPort}: the CA the servers' certificates must chain
 * to, optionally the proxy's own certificate, and hostname verification ({@code HTTPS} endpoint identification: the
 * certificate must name the host or IP the proxy dialled), as the ZooKeeper client's
 * {@code zookeeper.ssl.hostnameVerification} does. {@link #reload} swaps in new files for new upstream connections.
 * Thread-safe.
 */
public final class UpstreamTls {
    private final UpstreamTlsConfig config;
    private final SslProvider provider;
    private final AtomicReference<SslContext> context = new AtomicReference<>();

    /**
     * Loads and checks the files.
     *
     * @param provider {@code auto}, {@code openssl} or {@code jdk}
     * @throws ConfigException one line per unusable file
     */
    public UpstreamTls(UpstreamTlsConfig config, String provider) throws ConfigException {
        this.config = config;
        this.provider = TlsProvider.choose(provider, "tls.provider");
        reload();
    }

    /**
     * Reads the files again; on success new upstream connections use them.
     *
     * @throws ConfigException if a file is unusable now: the previous ones stay in use
     */
    public void reload() throws ConfigException {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider)
                .endpointIdentificationAlgorithm(config.hostnameVerification() ? "HTTPS" : null);
        if (config.ca() != null) {
            builder.trustManager(CertificateFiles.loadCas("upstream.tls.ca", config.ca(), config.keyPassword()));
        }
        if (config.cert() != null) {
            KeyMaterial key = CertificateFiles.loadKey("upstream.tls.cert", config.cert(), config.key(),
                    config.keyPassword());
            builder.keyManager(key.key(), key.chain());
        }
        try {
            context.set(builder.build());
        } catch (SSLException e) {
            throw new ConfigException(List.of("upstream.tls: not usable for TLS: " + e.getMessage()));
        }
    }

    /**
     * @param host the server's host as dialled (name or IP), which its certificate must name when hostname
     *             verification is on; also sent as SNI
     * @return a client-mode handler for a new upstream connection
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
        return context.get().newHandler(alloc, host, port);
    }

    /** @return the configuration the files come from */
    public UpstreamTlsConfig config() {
        return config;
    }

    /** @return the TLS implementation, {@code openssl (...)} or {@code jdk} */
    public String provider() {
        return TlsProvider.describe(provider);
    }

    /** @return the files whose change triggers {@link #reload} */
    public List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (String f : new String[] {config.ca(), config.cert(), config.key()}) {
            if (f != null) {
                files.add(Path.of(f));
            }
        }
        return files;
    }
}
