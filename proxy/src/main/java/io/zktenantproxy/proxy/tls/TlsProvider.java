package io.zktenantproxy.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import io.zktenantproxy.proxy.config.ConfigException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS implementation under Netty's {@code SslHandler}: OpenSSL (BoringSSL from netty-tcnative-boringssl-static)
 * where it loads, the JDK's otherwise; and the JDK trust managers both use.
 */
public final class TlsProvider {
    private TlsProvider() {
    }

    /**
     * @param setting {@code auto}, {@code openssl} or {@code jdk}
     * @param field   configuration field, for the message
     * @throws ConfigException if {@code openssl} is asked for and does not load here
     */
    public static SslProvider choose(String setting, String field) throws ConfigException {
        return switch (setting) {
            case "jdk" -> SslProvider.JDK;
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new ConfigException(List.of(field + ": openssl does not load here: "
                            + OpenSsl.unavailabilityCause()));
                }
                yield SslProvider.OPENSSL;
            }
            default -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** @return {@code openssl (BoringSSL ...)} or {@code jdk}, for the start-up line and {@code /tenants} */
    public static String describe(SslProvider provider) {
        return provider == SslProvider.JDK ? "jdk" : "openssl (" + OpenSsl.versionString() + ")";
    }

    /** @return the JDK's PKIX trust manager over {@code cas} */
    static X509ExtendedTrustManager pkix(List<X509Certificate> cas) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < cas.size(); i++) {
            store.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager from " + factory.getAlgorithm());
    }
}
