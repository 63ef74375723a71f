package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import picocli.CommandLine.Option;

/**
 * TLS to the ensemble's {@code secureClientPort}, as options: mixed into {@code serve} and every command that reads
 * the ensemble ({@link UpstreamOptions}). Mirrors {@code upstream.tls} of the YAML configuration.
 */
final class UpstreamTlsOptions {
    @Option(names = "--upstream-tls-ca", defaultValue = "${env:ZKTP_UPSTREAM_TLS_CA}", paramLabel = "FILE",
            description = "TLS to the ensemble's secureClientPort, trusting these CA certificates (PEM) or this PKCS12 "
                    + "trust store (env ZKTP_UPSTREAM_TLS_CA).")
    String ca;

    @Option(names = "--upstream-tls-cert", defaultValue = "${env:ZKTP_UPSTREAM_TLS_CERT}", paramLabel = "FILE",
            description = "The proxy's client certificate towards the ensemble, PEM chain or PKCS12 "
                    + "(env ZKTP_UPSTREAM_TLS_CERT; the proxy itself needs --upstream-secret-file with it).")
    String cert;

    @Option(names = "--upstream-tls-key", defaultValue = "${env:ZKTP_UPSTREAM_TLS_KEY}", paramLabel = "FILE",
            description = "The proxy's private key towards the ensemble, PKCS#8 PEM (env ZKTP_UPSTREAM_TLS_KEY).")
    String key;

    /** @return TLS to the ensemble from the options, or null when none is given */
    UpstreamTlsConfig config() {
        if (ca == null && cert == null) {
            return null;
        }
        return UpstreamTlsConfig.trusting(ca).withClientCertificate(cert, key);
    }
}
