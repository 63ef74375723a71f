package io.zktenantproxy.proxy.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate authority for tests, living in memory only: its key is never written anywhere, and it
 * issues leaf certificates as a {@link CertSpec} says. The CA certificate (CN as given, valid from a week ago for a
 * year) has basic constraints CA:true and key usage keyCertSign and cRLSign; it signs with SHA256withECDSA (EC P-256
 * key, the default) or SHA256withRSA (RSA 2048). Certificates are built by BouncyCastle, keys come from the JDK.
 */
public final class TestCa {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keyPair;
    private final KeyType keyType;
    private final X509Certificate certificate;

    private TestCa(KeyPair keyPair, KeyType keyType, X509Certificate certificate) {
        this.keyPair = keyPair;
        this.keyType = keyType;
        this.certificate = certificate;
    }

    /** @return a new CA named {@code CN=<commonName>} with an EC P-256 key */
    public static TestCa create(String commonName) {
        return create(commonName, KeyType.EC_P256);
    }

    /** @return a new CA named {@code CN=<commonName>} with a key of type {@code keyType} */
    public static TestCa create(String commonName, KeyType keyType) {
        KeyPair keyPair = keyType.generate();
        X500Name name = cn(Objects.requireNonNull(commonName, "commonName"));
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofDays(7))), Date.from(now.plus(Duration.ofDays(365))), name,
                    keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            return new TestCa(keyPair, keyType, sign(builder, keyPair, keyType));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create test CA " + commonName, e);
        }
    }

    /** @return the CA's self-signed certificate */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Issues a leaf certificate for a new key pair of {@code spec.keyType()}: subject {@code CN=<cn>} (or empty),
     * the SANs of the spec (marked critical when the subject is empty, as RFC 5280 asks), basic constraints
     * CA:false, key usage digitalSignature (plus keyEncipherment for RSA), the spec's extended key usages, and
     * subject and authority key identifiers.
     *
     * @return the certificate, its key, and the chain leaf then this CA
     */
    public IssuedCert issue(CertSpec spec) {
        KeyPair leafKeys = spec.keyType().generate();
        X500Name subject = spec.commonName() == null ? new X500Name(new RDN[0]) : cn(spec.commonName());
        int keyUsage = KeyUsage.digitalSignature
                | (spec.keyType() == KeyType.RSA_2048 ? KeyUsage.keyEncipherment : 0);
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            PublicKey leafPublic = leafKeys.getPublic();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(spec.notBefore()), Date.from(spec.notAfter()), subject, leafPublic)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes(spec)))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(leafPublic))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(certificate));
            List<GeneralName> sans = subjectAltNames(spec);
            if (!sans.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, spec.commonName() == null,
                        new GeneralNames(sans.toArray(new GeneralName[0])));
            }
            X509Certificate leaf = sign(builder, keyPair, keyType);
            return new IssuedCert(leaf, leafKeys.getPrivate(), List.of(leaf, certificate));
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue " + spec, e);
        }
    }

    /**
     * Writes the CA certificate as one {@code -----BEGIN CERTIFICATE-----} block (a PEM trust store for ZooKeeper,
     * {@code ssl.trustStore.type=PEM}, or a trust file for the proxy).
     *
     * @return {@code file}
     */
    public Path writeCertPem(Path file) throws IOException {
        return OwnerOnlyFiles.write(file, Pem.certificates(List.of(certificate)).getBytes(StandardCharsets.US_ASCII));
    }

    private static List<GeneralName> subjectAltNames(CertSpec spec) {
        List<GeneralName> names = new ArrayList<>();
        spec.dnsNames().forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        spec.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        spec.uris().forEach(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
        return names;
    }

    private static KeyPurposeId[] purposes(CertSpec spec) {
        return spec.usages().stream().sorted()
                .map(usage -> usage == CertSpec.Usage.SERVER ? KeyPurposeId.id_kp_serverAuth
                        : KeyPurposeId.id_kp_clientAuth)
                .toArray(KeyPurposeId[]::new);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer, KeyType signerType)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(signerType.signatureAlgorithm())
                            .build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static X500Name cn(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    /** A positive serial number of at most 64 bits, as RFC 5280 4.1.2.2 wants. */
    private static BigInteger serial() {
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }
}
