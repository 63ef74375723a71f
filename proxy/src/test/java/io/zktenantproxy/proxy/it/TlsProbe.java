package io.zktenantproxy.proxy.it;

import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.proxy.tls.IssuedCert;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.Principal;
import java.security.PrivateKey;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A bare TLS client (the JDK's) for refusal tests: connects, handshakes with an optional client certificate, sends a
 * ZooKeeper ConnectRequest and reads what comes back. In TLS 1.3 the client finishes its side of the handshake before
 * the server has checked the client certificate, so a refusal shows on the first read.
 */
final class TlsProbe {
    private static final int READ_TIMEOUT_MS = 60_000;

    private TlsProbe() {
    }

    /** What the probe saw. */
    enum Seen {
        /** The proxy answered the ConnectRequest (a session was made). */
        ANSWERED,
        /** The handshake or the first read failed, or the connection closed: refused. */
        REFUSED
    }

    /**
     * @param client the client certificate, or null for none
     * @param trust  the CA the proxy's certificate must chain to
     * @return whether the proxy answered a ConnectRequest over this connection
     */
    static Seen connect(InetSocketAddress proxy, IssuedCert client, X509Certificate trust) throws Exception {
        return connect(proxy, client, trust, "TLSv1.3");
    }

    /** {@link #connect(InetSocketAddress, IssuedCert, X509Certificate)} with only {@code protocol} enabled. */
    static Seen connect(InetSocketAddress proxy, IssuedCert client, X509Certificate trust, String protocol)
            throws Exception {
        try (SSLSocket socket = (SSLSocket) context(client, trust).getSocketFactory().createSocket()) {
            socket.setEnabledProtocols(new String[] {protocol});
            socket.connect(proxy, READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            try {
                socket.startHandshake();
                OutputStream out = socket.getOutputStream();
                out.write(JuteFrames.connectRequest());
                out.flush();
                InputStream in = socket.getInputStream();
                return in.read() < 0 ? Seen.REFUSED : Seen.ANSWERED;
            } catch (IOException e) {
                return Seen.REFUSED;
            }
        }
    }

    /** @return the leaf certificate the listener presents now */
    static X509Certificate serverCertificate(InetSocketAddress proxy, X509Certificate trust) throws Exception {
        try (SSLSocket socket = (SSLSocket) context(null, trust).getSocketFactory().createSocket()) {
            socket.connect(proxy, READ_TIMEOUT_MS);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /**
     * Opens a plain TCP connection and sends nothing.
     *
     * @return the socket, for the caller to close
     */
    static Socket silent(InetSocketAddress proxy) throws IOException {
        Socket socket = new Socket();
        socket.connect(proxy, READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return socket;
    }

    /** @return whether the peer closes {@code socket} (EOF or reset) before the read timeout */
    static boolean closedByPeer(Socket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    private static SSLContext context(IssuedCert client, X509Certificate trust) throws GeneralSecurityException,
            IOException {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("ca", trust);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(client == null ? null : new KeyManager[] {new Always(client)}, tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * Presents its one certificate whatever the server says it accepts: the JDK's own key manager would send none
     * when the issuer is not among the server's certificate authorities, and the server would never see a
     * certificate of another CA.
     */
    private static final class Always extends X509ExtendedKeyManager {
        private static final String ALIAS = "probe";
        private final IssuedCert cert;

        Always(IssuedCert cert) {
            this.cert = cert;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return cert.chain().toArray(new X509Certificate[0]);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return cert.key();
        }
    }
}
