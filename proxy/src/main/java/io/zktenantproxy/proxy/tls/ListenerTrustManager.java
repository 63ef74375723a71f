package io.zktenantproxy.proxy.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A tenant listener's trust manager: the JDK's PKIX validation against the client CA first (chain, validity, key
 * usage), then the tenant check: on the shared listener the certificate must name exactly one tenant, on a tenant's
 * own listener exactly that tenant ({@link TenantCertificates}). A refusal is a {@link TenantCertificateException}
 * carrying its {@link HandshakeOutcome}. Only client certificates are checked here; this side never is a client.
 */
final class ListenerTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    private final TenantCertificates tenants;
    private final String boundTenant;

    /**
     * @param pkix        the JDK's trust manager over the client CA certificates
     * @param tenants     which tenants a certificate names
     * @param boundTenant the tenant of the listener, or null for the shared listener
     */
    ListenerTrustManager(X509ExtendedTrustManager pkix, TenantCertificates tenants, String boundTenant) {
        this.pkix = pkix;
        this.tenants = tenants;
        this.boundTenant = boundTenant;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, engine);
        checkTenant(chain[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
        checkTenant(chain[0]);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
        checkTenant(chain[0]);
    }

    private void checkTenant(X509Certificate leaf) throws TenantCertificateException {
        Set<String> named = tenants.tenantsOf(leaf);
        if (named.isEmpty()) {
            throw new TenantCertificateException(HandshakeOutcome.NO_TENANT, "certificate "
                    + TenantCertificates.describe(leaf) + " names no tenant (rule " + tenants.rule() + ")");
        }
        if (named.size() > 1) {
            throw new TenantCertificateException(HandshakeOutcome.TWO_TENANTS, "certificate "
                    + TenantCertificates.describe(leaf) + " names tenants " + named);
        }
        if (boundTenant != null && !named.contains(boundTenant)) {
            throw new TenantCertificateException(HandshakeOutcome.OTHER_TENANT, "certificate "
                    + TenantCertificates.describe(leaf) + " names tenant " + named + ", not " + boundTenant);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a tenant listener does not check server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a tenant listener does not check server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a tenant listener does not check server certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
