package io.zktenantproxy.proxy.tls;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Locale;

/**
 * How a TLS handshake on a tenant listener ended: the {@code outcome} tag of {@code zktp_tls_handshakes_total}.
 * Every outcome but {@link #OK} closes the connection before any ZooKeeper byte of it is read.
 */
public enum HandshakeOutcome {
    /** The handshake finished and the certificate (if one was asked for) names the listener's tenant. */
    OK,
    /** The client spoke something other than TLS (plain ZooKeeper on a TLS listener). */
    NOT_TLS,
    /** The handshake did not finish within {@code tls.handshakeTimeoutMs}. */
    HANDSHAKE_TIMEOUT,
    /** A client certificate was required and none came. */
    NO_CLIENT_CERTIFICATE,
    /** The client certificate does not chain to {@code tls.clientCa}. */
    UNTRUSTED_CERTIFICATE,
    /** The client certificate has expired or is not valid yet. */
    EXPIRED_CERTIFICATE,
    /** The client certificate names no configured tenant. */
    NO_TENANT,
    /** The client certificate names more than one tenant. */
    TWO_TENANTS,
    /** The client certificate names another tenant than the one whose listener it reached. */
    OTHER_TENANT,
    /** The client refused the proxy's certificate (an alert from the client). */
    CLIENT_REFUSED,
    /** Any other failure (protocol or cipher mismatch, the client went away). */
    FAILED;

    /** @return the outcome of a failed handshake whose cause is {@code cause} (Netty's handshake completion event) */
    public static HandshakeOutcome of(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof TenantCertificateException tenant) {
                return tenant.outcome();
            }
            if (t instanceof SslHandshakeTimeoutException) {
                return HANDSHAKE_TIMEOUT;
            }
            if (t instanceof NotSslRecordException) {
                return NOT_TLS;
            }
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException
                    || t instanceof CertPathValidatorException v
                    && (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return EXPIRED_CERTIFICATE;
            }
        }
        String text = messages(cause);
        if (text.contains("empty client certificate chain") || text.contains("peer_did_not_return_a_certificate")
                || text.contains("certificate_required") || text.contains("certificate required")) {
            return NO_CLIENT_CERTIFICATE;
        }
        if (text.contains("received fatal alert") || text.contains("sslv3_alert") || text.contains("tlsv1_alert")) {
            return CLIENT_REFUSED;
        }
        if (text.contains("certification path") || text.contains("certificate_verify_failed")
                || text.contains("certpath") || text.contains("path does not chain")) {
            return UNTRUSTED_CERTIFICATE;
        }
        return FAILED;
    }

    private static String messages(Throwable cause) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append(" | ");
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** @return the tag value, lower case */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
