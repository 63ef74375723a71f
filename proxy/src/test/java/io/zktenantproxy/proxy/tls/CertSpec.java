package io.zktenantproxy.proxy.tls;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.util.IPAddress;

/**
 * What a leaf certificate of a {@link TestCa} says: an optional subject CN, the subject alternative names (DNS, IP,
 * URI, each kept in the order given), the validity and the key type, and the extended key usages. Immutable: every
 * {@code withXxx} returns a new spec, and the list ones replace their list (no arguments: none of that kind).
 *
 * @param commonName the subject CN, or {@code null} for an empty subject (then the SANs identify the holder)
 * @param dnsNames DNS SANs
 * @param ipAddresses IP SANs, IPv4 or IPv6 literals
 * @param uris URI SANs, e.g. {@code spiffe://platform/ns/acme/sa/flink}
 * @param notBefore start of validity
 * @param notAfter end of validity, after {@code notBefore}
 * @param keyType the type of the key pair generated for the certificate
 * @param usages the extended key usages, at least one
 */
public record CertSpec(String commonName, List<String> dnsNames, List<String> ipAddresses, List<String> uris,
        Instant notBefore, Instant notAfter, KeyType keyType, Set<Usage> usages) {

    /** An extended key usage (RFC 5280 4.2.1.12). */
    public enum Usage {
        /** id-kp-serverAuth: TLS server. */
        SERVER,
        /** id-kp-clientAuth: TLS client. */
        CLIENT
    }

    /** Validates and copies. */
    public CertSpec {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        uris = List.copyOf(uris);
        usages = Set.copyOf(usages);
        Objects.requireNonNull(notBefore, "notBefore");
        Objects.requireNonNull(notAfter, "notAfter");
        Objects.requireNonNull(keyType, "keyType");
        if (!notAfter.isAfter(notBefore)) {
            throw new IllegalArgumentException("notAfter: " + notAfter + " (expected: after notBefore " + notBefore
                    + ")");
        }
        if (commonName == null && dnsNames.isEmpty() && ipAddresses.isEmpty() && uris.isEmpty()) {
            throw new IllegalArgumentException("a certificate must name its holder: a CN or at least one SAN");
        }
        for (String ip : ipAddresses) {
            if (!IPAddress.isValid(ip)) {
                throw new IllegalArgumentException("ipAddresses: " + ip + " (expected: an IPv4 or IPv6 literal)");
            }
        }
        if (usages.isEmpty()) {
            throw new IllegalArgumentException("usages: none (expected: SERVER, CLIENT or both)");
        }
    }

    /**
     * @return a spec for a TLS server on this machine: CN {@code localhost}, DNS SAN {@code localhost}, IP SAN
     *     {@code 127.0.0.1}, EC key, valid from an hour ago for a day, both usages
     */
    public static CertSpec server() {
        return named("localhost").withDns("localhost").withIp("127.0.0.1");
    }

    /** @return a spec with subject CN {@code commonName} and no SANs, EC key, valid from an hour ago for a day */
    public static CertSpec client(String commonName) {
        return named(Objects.requireNonNull(commonName, "commonName"));
    }

    private static CertSpec named(String commonName) {
        Instant now = Instant.now();
        return new CertSpec(commonName, List.of(), List.of(), List.of(), now.minus(Duration.ofHours(1)),
                now.plus(Duration.ofDays(1)), KeyType.EC_P256, EnumSet.allOf(Usage.class));
    }

    /** @return this spec with subject CN {@code cn} */
    public CertSpec withCn(String cn) {
        return new CertSpec(Objects.requireNonNull(cn, "cn"), dnsNames, ipAddresses, uris, notBefore, notAfter,
                keyType, usages);
    }

    /** @return this spec with an empty subject (the SANs alone name the holder) */
    public CertSpec withoutCn() {
        return new CertSpec(null, dnsNames, ipAddresses, uris, notBefore, notAfter, keyType, usages);
    }

    /** @return this spec with exactly these DNS SANs */
    public CertSpec withDns(String... names) {
        return new CertSpec(commonName, List.of(names), ipAddresses, uris, notBefore, notAfter, keyType, usages);
    }

    /** @return this spec with exactly these IP SANs */
    public CertSpec withIp(String... addresses) {
        return new CertSpec(commonName, dnsNames, List.of(addresses), uris, notBefore, notAfter, keyType, usages);
    }

    /** @return this spec with exactly these URI SANs */
    public CertSpec withUri(String... uriSans) {
        return new CertSpec(commonName, dnsNames, ipAddresses, List.of(uriSans), notBefore, notAfter, keyType, usages);
    }

    /** @return this spec valid from {@code from} to {@code to} */
    public CertSpec withValidity(Instant from, Instant to) {
        return new CertSpec(commonName, dnsNames, ipAddresses, uris, from, to, keyType, usages);
    }

    /** @return this spec valid from two days ago until an hour ago */
    public CertSpec expired() {
        Instant now = Instant.now();
        return withValidity(now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(1)));
    }

    /** @return this spec with an RSA 2048 key instead of EC P-256 */
    public CertSpec rsa() {
        return withKeyType(KeyType.RSA_2048);
    }

    /** @return this spec with a key of type {@code type} */
    public CertSpec withKeyType(KeyType type) {
        return new CertSpec(commonName, dnsNames, ipAddresses, uris, notBefore, notAfter, type, usages);
    }

    /** @return this spec with exactly these extended key usages */
    public CertSpec withUsages(Usage first, Usage... more) {
        return new CertSpec(commonName, dnsNames, ipAddresses, uris, notBefore, notAfter, keyType,
                EnumSet.of(first, more));
    }
}
