package io.zktenantproxy.proxy.tls;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** The key pairs the test PKI generates (JDK providers), and the signature algorithm a key of each type signs with. */
public enum KeyType {
    /** EC on NIST P-256 (secp256r1), signing with SHA256withECDSA. */
    EC_P256("SHA256withECDSA"),
    /** RSA with a 2048-bit modulus, signing with SHA256withRSA. */
    RSA_2048("SHA256withRSA");

    private final String signatureAlgorithm;

    KeyType(String signatureAlgorithm) {
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** @return the JCA name of the algorithm a private key of this type signs certificates with */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** @return a new key pair of this type */
    public KeyPair generate() {
        try {
            if (this == EC_P256) {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                return generator.generateKeyPair();
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + this + " key pair", e);
        }
    }
}
