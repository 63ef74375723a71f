package io.zktenantproxy.proxy.config;

/**
 * TLS from the proxy to the ensemble's {@code secureClientPort}. In YAML, under {@code upstream}:
 *
 * <pre>
 * upstream:
 *   connect: zk1:2281,zk2:2281,zk3:2281
 *   secretFile: /etc/zktp/upstream-secret     # required with a client certificate (see SECURITY.md)
 *   tls: {ca: /etc/zktp/zk-ca.crt, cert: /etc/zktp/proxy.crt, key: /etc/zktp/proxy.key}
 * </pre>
 *
 * Mirrors the ZooKeeper client's {@code zookeeper.ssl.trustStore.*}, {@code zookeeper.ssl.keyStore.*} and
 * {@code zookeeper.ssl.hostnameVerification}.
 *
 * @param ca                   CA certificates (PEM) or a PKCS12 trust store the servers' certificates must chain to;
 *                             null: the JVM's default trust store
 * @param cert                 the proxy's client certificate chain (PEM) or a PKCS12 key store; null: none (the
 *                             ensemble must then run with {@code ssl.clientAuth=none} or {@code want})
 * @param key                  the proxy's private key, PKCS#8 PEM; null with PKCS12 or without {@code cert}
 * @param keyPassword          password of an encrypted key, of the PKCS12 key store or of a PKCS12 trust store;
 *                             never logged
 * @param hostnameVerification whether the server certificate must name the host the proxy dialled (default true)
 */
public record UpstreamTlsConfig(String ca, String cert, String key, String keyPassword, Boolean hostnameVerification) {
    public UpstreamTlsConfig {
        hostnameVerification = hostnameVerification == null || hostnameVerification;
    }

    /** @return TLS to the ensemble trusting {@code ca}, without a client certificate */
    public static UpstreamTlsConfig trusting(String ca) {
        return new UpstreamTlsConfig(ca, null, null, null, null);
    }

    /** @return this with the proxy's client certificate and key replaced */
    public UpstreamTlsConfig withClientCertificate(String certFile, String keyFile) {
        return new UpstreamTlsConfig(ca, certFile, keyFile, keyPassword, hostnameVerification);
    }

    /** @return this with hostname verification on or off */
    public UpstreamTlsConfig withHostnameVerification(boolean verify) {
        return new UpstreamTlsConfig(ca, cert, key, keyPassword, verify);
    }

    @Override
    public String toString() {
        return "UpstreamTlsConfig[ca=" + ca + ", cert=" + cert + ", key=" + key + ", keyPassword="
                + (keyPassword == null ? null : "***") + ", hostnameVerification=" + hostnameVerification + "]";
    }
}
