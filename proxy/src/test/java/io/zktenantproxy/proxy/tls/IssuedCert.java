package io.zktenantproxy.proxy.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A certificate a {@link TestCa} issued, with its private key, and the files the proxy, ZooKeeper and their clients
 * read it from. Every file is written whole (moved into place) and readable by its owner only where the file system
 * allows; keys are never encrypted in PEM.
 *
 * @param certificate the leaf certificate
 * @param key the leaf's private key
 * @param chain the leaf, then the certificate of the CA that issued it
 */
public record IssuedCert(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {
    /** Alias of the one entry of {@link #writePkcs12}. */
    public static final String PKCS12_ALIAS = "key";

    /** Copies the chain; the leaf must be its first element. */
    public IssuedCert {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        if (chain.isEmpty() || !chain.get(0).equals(certificate)) {
            throw new IllegalArgumentException("chain: must start with the leaf certificate");
        }
    }

    /**
     * Writes {@code <baseName>-cert.pem} (the chain, leaf first, as {@code CERTIFICATE} blocks) and
     * {@code <baseName>-key.pem} (the key as one unencrypted PKCS#8 {@code PRIVATE KEY} block) into {@code dir}.
     *
     * @return the two files
     */
    public PemFiles writePem(Path dir, String baseName) throws IOException {
        Path cert = OwnerOnlyFiles.write(dir.resolve(baseName + "-cert.pem"), bytes(Pem.certificates(chain)));
        Path keyFile = OwnerOnlyFiles.write(dir.resolve(baseName + "-key.pem"), bytes(Pem.privateKey(key)));
        return new PemFiles(cert, keyFile);
    }

    /**
     * Writes the key (unencrypted PKCS#8 {@code PRIVATE KEY} block) followed by the chain (leaf first) into one file:
     * the layout of ZooKeeper's {@code PEM} key store type ({@code ssl.keyStore.type=PEM}), which reads key and
     * certificates from the same file.
     *
     * @return {@code file}
     */
    public Path writeCombinedPem(Path file) throws IOException {
        return OwnerOnlyFiles.write(file, bytes(Pem.privateKey(key) + Pem.certificates(chain)));
    }

    /**
     * Writes a PKCS#12 key store (the JDK's) holding one private key entry, alias {@value #PKCS12_ALIAS}, with the
     * chain; the store and the entry are protected by {@code password}.
     *
     * @return {@code file}
     */
    public Path writePkcs12(Path file, char[] password) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(PKCS12_ALIAS, key, password, chain.toArray(new X509Certificate[0]));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return OwnerOnlyFiles.write(file, out.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a PKCS#12 key store", e);
        }
    }

    private static byte[] bytes(String pem) {
        return pem.getBytes(StandardCharsets.US_ASCII);
    }
}
