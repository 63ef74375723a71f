package io.zktenantproxy.proxy.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigValidator;
import io.zktenantproxy.proxy.config.TlsConfig;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server side TLS of the tenant listeners: the proxy's certificate and key, the client CA, and one Netty
 * {@link SslContext} per listener (each listener's trust manager knows which tenant it serves, see
 * {@link ListenerTrustManager}). {@link #reload} reads the files again and swaps the whole set at once when they are
 * valid; handshakes that started before keep the old context, live connections are not touched.
 *
 * <p>Thread-safe: contexts are made on first use per listener and cached until the next reload.
 */
public final class ServerTls {
    /**
     * The name of the shared TLS listener in metrics, logs and {@code ProxyServer.address}; tenant listeners go by
     * the tenant's name, so no tenant may be called this while the shared listener runs.
     */
    public static final String SHARED = ConfigValidator.SHARED_LISTENER;

    private final TlsConfig config;
    private volatile TenantCertificates tenants;
    private final SslProvider provider;
    private final AtomicReference<Loaded> loaded = new AtomicReference<>();

    /**
     * The files as last loaded, and the contexts made from them: the shared listener's, and each tenant listener's
     * (whose trust manager takes only that tenant's certificates) by tenant name.
     */
    private record Loaded(KeyMaterial key, X509ExtendedTrustManager clientCa, SslContext shared,
                          Map<String, SslContext> bound) {
    }

    /**
     * Loads and checks the files.
     *
     * @throws ConfigException one line per unusable file, or when {@code openssl} was asked for and does not load
     */
    public ServerTls(TlsConfig config, TenantCertificates tenants) throws ConfigException {
        this.config = config;
        this.tenants = tenants;
        this.provider = TlsProvider.choose(config.provider(), "tls.provider");
        reload();
    }

    /**
     * Reads the certificate, key and client CA files again; on success, new handshakes use them.
     *
     * @throws ConfigException if a file is unusable now: the previous ones stay in use
     */
    public synchronized void reload() throws ConfigException {
        KeyMaterial key = CertificateFiles.loadKey("tls.cert", config.cert(), config.key(), config.keyPassword());
        X509ExtendedTrustManager clientCa = null;
        if (config.clientCa() != null) {
            List<X509Certificate> cas = CertificateFiles.loadCas("tls.clientCa", config.clientCa(), null);
            try {
                clientCa = TlsProvider.pkix(cas);
            } catch (GeneralSecurityException e) {
                throw new ConfigException(List.of("tls.clientCa: " + config.clientCa() + ": " + e.getMessage()));
            }
        }
        Loaded next = new Loaded(key, clientCa, build(key, clientCa, null), new ConcurrentHashMap<>());
        loaded.set(next); // building the shared context proved the provider takes key and certificates
    }

    /**
     * Decides tenants by another set of identities from now on (a reload added, removed or changed tenants): new
     * handshakes use contexts made with it, running connections keep theirs. The key and CAs stay as loaded.
     *
     * @throws ConfigException if a context cannot be made (not expected: the same key was usable a moment ago)
     */
    public synchronized void retarget(TenantCertificates next) throws ConfigException {
        Loaded current = loaded.get();
        this.tenants = next;
        loaded.set(new Loaded(current.key(), current.clientCa(), build(current.key(), current.clientCa(), null),
                new ConcurrentHashMap<>()));
    }

    /**
     * @param boundTenant the tenant whose own listener it is, or null for the shared listener
     * @return the context for new connections of that listener
     */
    public SslContext context(String boundTenant) {
        Loaded current = loaded.get();
        if (boundTenant == null) {
            return current.shared();
        }
        return current.bound().computeIfAbsent(boundTenant, tenant -> {
            try {
                return build(current, tenant);
            } catch (ConfigException e) {
                throw new IllegalStateException(String.join("; ", e.errors()), e);
            }
        });
    }

    private SslContext build(Loaded from, String boundTenant) throws ConfigException {
        return build(from.key(), from.clientCa(), boundTenant);
    }

    private SslContext build(KeyMaterial key, X509ExtendedTrustManager clientCa, String boundTenant)
            throws ConfigException {
        SslContextBuilder builder = SslContextBuilder.forServer(key.key(), key.chain())
                .sslProvider(provider)
                .protocols(config.protocols());
        if (clientCa != null) {
            builder.clientAuth(ClientAuth.REQUIRE)
                    .trustManager(new ListenerTrustManager(clientCa, tenants, boundTenant));
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new ConfigException(List.of("tls.cert: " + config.cert() + ": not usable for TLS: "
                    + e.getMessage()));
        }
    }

    /** @return the leaf certificate new handshakes present */
    public X509Certificate certificate() {
        return loaded.get().key().leaf();
    }

    /** @return the configuration the files come from */
    public TlsConfig config() {
        return config;
    }

    /** @return which tenants {@code certificate} names, as the listeners decide it */
    public TenantCertificates tenants() {
        return tenants;
    }

    /** @return the TLS implementation, {@code openssl (...)} or {@code jdk} */
    public String provider() {
        return TlsProvider.describe(provider);
    }

    /** @return the files whose change triggers {@link #reload} */
    public List<Path> files() {
        List<Path> files = new ArrayList<>();
        files.add(Path.of(config.cert()));
        if (config.key() != null) {
            files.add(Path.of(config.key()));
        }
        if (config.clientCa() != null) {
            files.add(Path.of(config.clientCa()));
        }
        return files;
    }
}
