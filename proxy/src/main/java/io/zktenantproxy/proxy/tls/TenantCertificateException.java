package io.zktenantproxy.proxy.tls;

import java.security.cert.CertificateException;

/**
 * A client certificate that chains to the client CA but does not name the tenant the listener serves: thrown by the
 * listener's trust manager, so the handshake fails with a TLS alert and the connection never carries a ZooKeeper
 * byte.
 */
final class TenantCertificateException extends CertificateException {
    private final HandshakeOutcome outcome;

    TenantCertificateException(HandshakeOutcome outcome, String message) {
        super(message);
        this.outcome = outcome;
    }

    HandshakeOutcome outcome() {
        return outcome;
    }
}
