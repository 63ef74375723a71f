package io.zktenantproxy.proxy.tls;

import io.zktenantproxy.proxy.config.ConfigException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.util.PemReader;

/**
 * Reads certificates and keys from the files the configuration names, and checks them, so that a bad file is one
 * clear line at start-up, in {@code check-config} and on a reload, never a TLS failure later. PEM is read with
 * ZooKeeper's own {@code PemReader} (certificates; PKCS#8 keys, encrypted ones with a password), PKCS12 with the JDK.
 * A file is PEM when it starts with {@code -----BEGIN}, else PKCS12.
 *
 * <p>Checks: readable; a key and at least one certificate; the key belongs to the leaf certificate (a signature made
 * with the key verifies with the certificate's public key); the leaf is valid now (not expired, not yet valid).
 */
public final class CertificateFiles {
    private static final byte[] PROBE = "zk-tenant-proxy key check".getBytes(StandardCharsets.US_ASCII);

    private CertificateFiles() {
    }

    /**
     * @param field    configuration field of {@code certFile}, for messages (e.g. {@code tls.cert})
     * @param certFile a PEM certificate chain (leaf first), or a PKCS12 file holding key and chain
     * @param keyFile  a PKCS#8 PEM key, or null when {@code certFile} is PKCS12
     * @param password the key's or the PKCS12 file's password, or null
     * @throws ConfigException one line naming the field, the file and what is wrong
     */
    public static KeyMaterial loadKey(String field, String certFile, String keyFile, String password)
            throws ConfigException {
        KeyMaterial material;
        try {
            if (isPem(certFile)) {
                if (keyFile == null) {
                    throw fail(field, certFile, "a PEM certificate needs its key file ("
                            + field.replace("cert", "key") + ")");
                }
                List<X509Certificate> chain = PemReader.readCertificateChain(new File(certFile));
                PrivateKey key = PemReader.loadPrivateKey(new File(keyFile), Optional.ofNullable(password));
                material = new KeyMaterial(key, nonEmpty(field, certFile, chain));
            } else {
                material = pkcs12Key(field, certFile, password);
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw fail(field, keyFile == null ? certFile : certFile + ", " + keyFile, "cannot read: " + describe(e));
        }
        validNow(field, certFile, material.leaf());
        if (!keyMatches(material.key(), material.leaf().getPublicKey())) {
            throw fail(field, certFile, "the key" + (keyFile == null ? "" : " in " + keyFile)
                    + " does not belong to the certificate " + material.leaf().getSubjectX500Principal().getName());
        }
        return material;
    }

    /**
     * @param field    configuration field of {@code file}, for messages (e.g. {@code tls.clientCa})
     * @param file     PEM CA certificates, or a PKCS12 trust store
     * @param password the trust store's password, or null
     * @return the CA certificates, never empty
     * @throws ConfigException one line naming the field, the file and what is wrong
     */
    public static List<X509Certificate> loadCas(String field, String file, String password) throws ConfigException {
        List<X509Certificate> cas;
        try {
            if (isPem(file)) {
                cas = PemReader.readCertificateChain(new File(file));
            } else {
                KeyStore store = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(Path.of(file))) {
                    store.load(in, password == null ? new char[0] : password.toCharArray());
                }
                cas = new ArrayList<>();
                for (String alias : Collections.list(store.aliases())) {
                    if (store.getCertificate(alias) instanceof X509Certificate c) {
                        cas.add(c);
                    }
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw fail(field, file, "cannot read: " + describe(e));
        }
        return nonEmpty(field, file, cas);
    }

    private static boolean isPem(String file) throws IOException {
        byte[] head = new byte[64];
        int read;
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            read = in.readNBytes(head, 0, head.length);
        }
        return new String(head, 0, read, StandardCharsets.US_ASCII).stripLeading().startsWith("-----BEGIN");
    }

    private static KeyMaterial pkcs12Key(String field, String file, String password) throws IOException,
            GeneralSecurityException, ConfigException {
        char[] secret = password == null ? new char[0] : password.toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            store.load(in, secret);
        }
        for (String alias : Collections.list(store.aliases())) {
            if (store.isKeyEntry(alias)) {
                List<X509Certificate> chain = new ArrayList<>();
                for (Certificate c : store.getCertificateChain(alias)) {
                    chain.add((X509Certificate) c);
                }
                return new KeyMaterial((PrivateKey) store.getKey(alias, secret), nonEmpty(field, file, chain));
            }
        }
        throw fail(field, file, "no private key in the PKCS12 file");
    }

    private static List<X509Certificate> nonEmpty(String field, String file, List<X509Certificate> certificates)
            throws ConfigException {
        if (certificates.isEmpty()) {
            throw fail(field, file, "no certificate in it");
        }
        return certificates;
    }

    private static void validNow(String field, String file, X509Certificate leaf) throws ConfigException {
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException e) {
            throw fail(field, file, "the certificate " + leaf.getSubjectX500Principal().getName() + " expired on "
                    + leaf.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw fail(field, file, "the certificate " + leaf.getSubjectX500Principal().getName()
                    + " is not valid before " + leaf.getNotBefore().toInstant() + " (now " + Instant.now() + ")");
        }
    }

    /** Signs a fixed message with the key and verifies it with the certificate's public key (JDK signatures). */
    private static boolean keyMatches(PrivateKey key, PublicKey publicKey) {
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm == null || !algorithm.equals(signatureAlgorithm(publicKey.getAlgorithm()))) {
            return false;
        }
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    private static ConfigException fail(String field, String file, String problem) {
        return new ConfigException(List.of(field + ": " + file + ": " + problem));
    }
}
