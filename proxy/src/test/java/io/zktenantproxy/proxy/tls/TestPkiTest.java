package io.zktenantproxy.proxy.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test PKI itself: certificates say exactly what their spec asks, and every file format reads back. */
class TestPkiTest {
    private static final String KP_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String KP_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String SUBJECT_ALT_NAME = "2.5.29.17";
    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;

    private static final TestCa CA = TestCa.create("test-pki CA");

    @Test
    void caIsSelfSignedAndACa() throws Exception {
        X509Certificate ca = CA.certificate();
        assertEquals(new X500Principal("CN=test-pki CA"), ca.getSubjectX500Principal());
        assertEquals(ca.getSubjectX500Principal(), ca.getIssuerX500Principal());
        assertTrue(ca.getBasicConstraints() >= 0, "CA:true");
        assertEquals("SHA256withECDSA", ca.getSigAlgName());
        ca.verify(ca.getPublicKey());
        ca.checkValidity();
    }

    @Test
    void serverCertificateCarriesExactlyLocalhost() throws Exception {
        IssuedCert server = CA.issue(CertSpec.server());
        X509Certificate cert = server.certificate();
        assertEquals(new X500Principal("CN=localhost"), cert.getSubjectX500Principal());
        assertEquals(List.of(List.of(SAN_DNS, "localhost"), List.of(SAN_IP, "127.0.0.1")), sans(cert));
        assertEquals(Set.of(KP_SERVER_AUTH, KP_CLIENT_AUTH), Set.copyOf(cert.getExtendedKeyUsage()));
        assertEquals(-1, cert.getBasicConstraints());
        assertEquals("EC", cert.getPublicKey().getAlgorithm());
        assertEquals(List.of(cert, CA.certificate()), server.chain());
        cert.verify(CA.certificate().getPublicKey());
        cert.checkValidity();
    }

    @Test
    void clientCertificateCarriesOnlyWhatWasAsked() throws Exception {
        X509Certificate flink = CA.issue(CertSpec.client("flink").withUri("spiffe://platform/ns/acme/sa/flink")
                .withUsages(CertSpec.Usage.CLIENT)).certificate();
        assertEquals(new X500Principal("CN=flink"), flink.getSubjectX500Principal());
        assertEquals(List.of(List.of(SAN_URI, "spiffe://platform/ns/acme/sa/flink")), sans(flink));
        assertEquals(List.of(KP_CLIENT_AUTH), flink.getExtendedKeyUsage());

        assertNull(CA.issue(CertSpec.client("plain")).certificate().getSubjectAlternativeNames());

        X509Certificate sanOnly = CA.issue(CertSpec.server().withoutCn().withDns("a.example", "b.example").withIp())
                .certificate();
        assertEquals("", sanOnly.getSubjectX500Principal().getName());
        assertEquals(List.of(List.of(SAN_DNS, "a.example"), List.of(SAN_DNS, "b.example")), sans(sanOnly));
        assertTrue(sanOnly.getCriticalExtensionOIDs().contains(SUBJECT_ALT_NAME), "SAN critical without subject");
    }

    @Test
    void expiredIsExpired() {
        X509Certificate expired = CA.issue(CertSpec.client("old").expired()).certificate();
        assertThrows(CertificateExpiredException.class, expired::checkValidity);
    }

    @Test
    void rsaKeysOnEitherSide() throws Exception {
        TestCa rsaCa = TestCa.create("rsa CA", KeyType.RSA_2048);
        IssuedCert leaf = rsaCa.issue(CertSpec.server().rsa());
        assertEquals("SHA256withRSA", rsaCa.certificate().getSigAlgName());
        assertEquals("SHA256withRSA", leaf.certificate().getSigAlgName());
        assertEquals("RSA", leaf.certificate().getPublicKey().getAlgorithm());
        assertEquals("RSA", leaf.key().getAlgorithm());
        leaf.certificate().verify(rsaCa.certificate().getPublicKey());
        // The CA's key decides the signature, the spec the leaf's key.
        assertEquals("SHA256withECDSA", CA.issue(CertSpec.client("x").rsa()).certificate().getSigAlgName());
        assertEquals("EC", rsaCa.issue(CertSpec.client("x")).certificate().getPublicKey().getAlgorithm());
    }

    @Test
    void specsThatNameNothingOrEndBeforeTheyStartAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> CertSpec.client("x").withoutCn());
        IllegalArgumentException badIp = assertThrows(IllegalArgumentException.class,
                () -> CertSpec.server().withIp("localhost"));
        assertTrue(badIp.getMessage().startsWith("ipAddresses: localhost"), badIp.getMessage());
        CertSpec spec = CertSpec.server();
        assertThrows(IllegalArgumentException.class, () -> spec.withValidity(spec.notAfter(), spec.notBefore()));
    }

    @Test
    void pemFilesReadBackWithBouncyCastle(@TempDir Path dir) throws Exception {
        IssuedCert issued = CA.issue(CertSpec.server());
        PemFiles files = issued.writePem(dir, "server");
        assertEquals(new PemFiles(dir.resolve("server-cert.pem"), dir.resolve("server-key.pem")), files);

        String keyText = Files.readString(files.key(), StandardCharsets.US_ASCII);
        assertTrue(keyText.startsWith("-----BEGIN PRIVATE KEY-----\n"), keyText);
        List<Object> keyObjects = pemObjects(files.key());
        assertEquals(1, keyObjects.size());
        PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(assertInstanceOf(PrivateKeyInfo.class,
                keyObjects.get(0)));
        assertArrayEquals(issued.key().getEncoded(), key.getEncoded());

        assertEquals(issued.chain(), certificates(pemObjects(files.cert())));
        assertOwnerOnly(files.cert());
        assertOwnerOnly(files.key());

        Path caFile = CA.writeCertPem(dir.resolve("ca.pem"));
        assertEquals(List.of(CA.certificate()), certificates(pemObjects(caFile)));
    }

    @Test
    void combinedPemIsKeyThenChain(@TempDir Path dir) throws Exception {
        IssuedCert issued = CA.issue(CertSpec.client("zk-client"));
        Path file = issued.writeCombinedPem(dir.resolve("client.pem"));
        List<Object> objects = pemObjects(file);
        assertEquals(3, objects.size());
        assertInstanceOf(PrivateKeyInfo.class, objects.get(0));
        assertEquals(issued.chain(), certificates(objects.subList(1, 3)));
        assertOwnerOnly(file);
    }

    @Test
    void pkcs12LoadsWithTheJdk(@TempDir Path dir) throws Exception {
        IssuedCert issued = CA.issue(CertSpec.client("p12").rsa());
        char[] password = "changeit".toCharArray();
        Path file = issued.writePkcs12(dir.resolve("client.p12"), password);
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
        }
        assertEquals(List.of(IssuedCert.PKCS12_ALIAS), Collections.list(store.aliases()));
        assertArrayEquals(issued.key().getEncoded(), store.getKey(IssuedCert.PKCS12_ALIAS, password).getEncoded());
        assertEquals(issued.chain(), List.of(store.getCertificateChain(IssuedCert.PKCS12_ALIAS)));
        assertOwnerOnly(file);
    }

    @Test
    void rewritingAFileReplacesItWhole(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ca.pem");
        TestCa.create("first").writeCertPem(file);
        CA.writeCertPem(file);
        assertEquals(List.of(CA.certificate()), certificates(pemObjects(file)));
        try (Stream<Path> listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
        }
    }

    /** @return each SAN as [type, value], in certificate order */
    private static List<List<?>> sans(X509Certificate cert) throws CertificateParsingException {
        Collection<List<?>> names = cert.getSubjectAlternativeNames();
        return names == null ? List.of() : new ArrayList<>(names);
    }

    private static List<Object> pemObjects(Path file) throws IOException {
        List<Object> objects = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                objects.add(o);
            }
        }
        return objects;
    }

    private static List<X509Certificate> certificates(List<Object> pemObjects) throws Exception {
        List<X509Certificate> certs = new ArrayList<>();
        for (Object o : pemObjects) {
            certs.add(new JcaX509CertificateConverter().getCertificate(assertInstanceOf(X509CertificateHolder.class,
                    o)));
        }
        return certs;
    }

    private static void assertOwnerOnly(Path file) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file
                    + " mode");
        }
    }
}
