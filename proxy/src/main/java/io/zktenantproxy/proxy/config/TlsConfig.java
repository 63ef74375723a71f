package io.zktenantproxy.proxy.config;

import java.util.List;

/**
 * TLS on the tenant listeners: the proxy's server certificate, optionally a client CA (mutual TLS), and optionally
 * one shared listener where the client certificate decides the tenant. In YAML:
 *
 * <pre>
 * tls:
 *   cert: /etc/zktp/tls/tls.crt        # PEM certificate chain, or a PKCS12 file holding key and chain
 *   key: /etc/zktp/tls/tls.key         # PKCS#8 PEM, RSA or EC; absent with PKCS12
 *   clientCa: /etc/zktp/tls/ca.crt     # PEM CA certificates; makes a client certificate mandatory
 *   clientIdentity: "uri:spiffe://platform/ns/{tenant}/sa/*"   # see CertificateIdentityRule; default: "default"
 *   listen: 0.0.0.0:7443               # the shared TLS listener (needs clientCa)
 * </pre>
 *
 * With {@code tls} present every tenant listener speaks TLS, except a tenant with {@code tls: false}; a listener is
 * plain or TLS, never both.
 *
 * @param cert               certificate chain file (PEM) or PKCS12 key store; required
 * @param key                private key file, PKCS#8 PEM ({@code BEGIN PRIVATE KEY}, or {@code BEGIN ENCRYPTED
 *                           PRIVATE KEY} with {@code keyPassword}); null when {@code cert} is PKCS12
 * @param keyPassword        password of an encrypted key or of the PKCS12 file; never logged
 * @param clientCa           CA certificates (PEM) client certificates must chain to; null: no client certificate asked
 * @param clientIdentity     the rule that says which tenant a client certificate names ({@link CertificateIdentityRule});
 *                           null for {@code default}
 * @param listen             {@code host:port} of the shared TLS listener, null for none
 * @param handshakeTimeoutMs longest a TLS handshake may take, ms (default {@value #DEFAULT_HANDSHAKE_TIMEOUT_MS})
 * @param provider           {@code auto} (OpenSSL through netty-tcnative where it loads, else the JDK), {@code openssl}
 *                           or {@code jdk}; default {@code auto}
 * @param reloadCheckMs      how often the certificate files are checked for changes, ms (default
 *                           {@value #DEFAULT_RELOAD_CHECK_MS}); SIGHUP checks at once
 * @param protocols          enabled protocols (default TLSv1.3 and TLSv1.2)
 */
public record TlsConfig(String cert, String key, String keyPassword, String clientCa, String clientIdentity,
                        String listen, Integer handshakeTimeoutMs, String provider, Integer reloadCheckMs,
                        List<String> protocols) {
    /** Default of {@link #handshakeTimeoutMs}. */
    public static final int DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
    /** Default of {@link #reloadCheckMs}. */
    public static final int DEFAULT_RELOAD_CHECK_MS = 5_000;
    /** Default of {@link #protocols}. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public TlsConfig {
        clientIdentity = clientIdentity == null ? CertificateIdentityRule.DEFAULT : clientIdentity;
        handshakeTimeoutMs = handshakeTimeoutMs == null ? DEFAULT_HANDSHAKE_TIMEOUT_MS : handshakeTimeoutMs;
        provider = provider == null ? "auto" : provider;
        reloadCheckMs = reloadCheckMs == null ? DEFAULT_RELOAD_CHECK_MS : reloadCheckMs;
        protocols = protocols == null ? DEFAULT_PROTOCOLS : List.copyOf(protocols);
    }

    /** @return TLS with a server certificate and key, no client CA, everything else at its default */
    public static TlsConfig of(String cert, String key) {
        return new TlsConfig(cert, key, null, null, null, null, null, null, null, null);
    }

    /** @return this with {@link #clientCa()} replaced (null: no client certificate asked) */
    public TlsConfig withClientCa(String file) {
        return new TlsConfig(cert, key, keyPassword, file, clientIdentity, listen, handshakeTimeoutMs, provider,
                reloadCheckMs, protocols);
    }

    /** @return this with {@link #clientIdentity()} replaced */
    public TlsConfig withClientIdentity(String rule) {
        return new TlsConfig(cert, key, keyPassword, clientCa, rule, listen, handshakeTimeoutMs, provider,
                reloadCheckMs, protocols);
    }

    /** @return this with the shared TLS listener on {@code hostPort} (null: none) */
    public TlsConfig withListen(String hostPort) {
        return new TlsConfig(cert, key, keyPassword, clientCa, clientIdentity, hostPort, handshakeTimeoutMs, provider,
                reloadCheckMs, protocols);
    }

    /** @return this with {@link #keyPassword()} replaced */
    public TlsConfig withKeyPassword(String password) {
        return new TlsConfig(cert, key, password, clientCa, clientIdentity, listen, handshakeTimeoutMs, provider,
                reloadCheckMs, protocols);
    }

    /** @return this with {@link #provider()} replaced */
    public TlsConfig withProvider(String newProvider) {
        return new TlsConfig(cert, key, keyPassword, clientCa, clientIdentity, listen, handshakeTimeoutMs, newProvider,
                reloadCheckMs, protocols);
    }

    /** @return this with {@link #handshakeTimeoutMs()} and {@link #reloadCheckMs()} replaced */
    public TlsConfig withTimings(int handshakeMs, int reloadMs) {
        return new TlsConfig(cert, key, keyPassword, clientCa, clientIdentity, listen, handshakeMs, provider, reloadMs,
                protocols);
    }

    /** @return whether client certificates are required (a client CA is configured) */
    public boolean mutual() {
        return clientCa != null;
    }

    @Override
    public String toString() {
        return "TlsConfig[cert=" + cert + ", key=" + key + ", keyPassword=" + (keyPassword == null ? null : "***")
                + ", clientCa=" + clientCa + ", clientIdentity=" + clientIdentity + ", listen=" + listen
                + ", handshakeTimeoutMs=" + handshakeTimeoutMs + ", provider=" + provider + ", reloadCheckMs="
                + reloadCheckMs + ", protocols=" + protocols + "]";
    }
}
