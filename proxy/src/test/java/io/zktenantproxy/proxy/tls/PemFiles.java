package io.zktenantproxy.proxy.tls;

import java.nio.file.Path;

/**
 * The two PEM files of an {@link IssuedCert}.
 *
 * @param cert the certificate chain, leaf first then the CA: {@code -----BEGIN CERTIFICATE-----} blocks
 * @param key the private key, unencrypted PKCS#8: one {@code -----BEGIN PRIVATE KEY-----} block
 */
public record PemFiles(Path cert, Path key) {
}
