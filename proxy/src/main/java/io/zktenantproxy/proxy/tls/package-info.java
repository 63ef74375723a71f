/**
 * TLS for both hops: the certificates and keys read from files ({@link io.zktenantproxy.proxy.tls.CertificateFiles}),
 * which tenant a client certificate names ({@link io.zktenantproxy.proxy.tls.TenantCertificates}), the server side
 * contexts of the tenant listeners ({@link io.zktenantproxy.proxy.tls.ServerTls}), the client side context towards
 * the ensemble ({@link io.zktenantproxy.proxy.tls.UpstreamTls}) and the watch that reloads them when the files
 * change ({@link io.zktenantproxy.proxy.config.FileChangeWatcher}). The TLS itself is Netty's {@code SslHandler}, on
 * OpenSSL (netty-tcnative-boringssl-static) where it loads, else the JDK's.
 *
 * <p>Depends on {@code config} only.
 */
package io.zktenantproxy.proxy.tls;
