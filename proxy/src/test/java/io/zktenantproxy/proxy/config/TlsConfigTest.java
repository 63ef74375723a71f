package io.zktenantproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The TLS settings in YAML: both hops, the shared listener, tenants' identities; and what validation refuses. */
class TlsConfigTest {
    private static ProxyConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "t");
    }

    @Test
    void bothHopsAndTheSharedListenerAreRead() throws Exception {
        ProxyConfig config = parse("""
                upstream:
                  connect: zk-0:2281
                  secretFile: /s
                  tls: {ca: /zk-ca.pem, cert: /p.pem, key: /p.key, hostnameVerification: true}
                tls:
                  cert: /c.pem
                  key: /k.pem
                  clientCa: /ca.pem
                  clientIdentity: "uri:spiffe://platform/ns/{tenant}/sa/*"
                  listen: 0.0.0.0:7443
                  provider: jdk
                tenants:
                  - {name: acme}
                  - {name: globex, listen: 0.0.0.0:7461, tls: false, clientIdentities: ["dns:flink.globex.svc"]}
                """);
        assertThat(config.tls()).isEqualTo(new TlsConfig("/c.pem", "/k.pem", null, "/ca.pem",
                "uri:spiffe://platform/ns/{tenant}/sa/*", "0.0.0.0:7443", null, "jdk", null, null));
        assertThat(config.tls().handshakeTimeoutMs()).isEqualTo(TlsConfig.DEFAULT_HANDSHAKE_TIMEOUT_MS);
        assertThat(config.tls().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(config.upstream().tls()).isEqualTo(new UpstreamTlsConfig("/zk-ca.pem", "/p.pem", "/p.key", null,
                true));
        assertThat(config.tenants().get(0).listenerTls(config.tls())).isTrue();
        assertThat(config.tenants().get(1).listenerTls(config.tls())).isFalse();
        assertThat(config.tenants().get(1).clientIdentities()).containsExactly("dns:flink.globex.svc");
    }

    @Test
    void unknownKeysInsideTlsAreNamed() {
        assertThatThrownBy(() -> parse("upstream: zk:2181\ntls: {cert: /c, kee: /k}\n"
                + "tenants: [{name: a, listen: 0.0.0.0:1}]\n"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).singleElement().asString()
                        .startsWith("t: tls.kee: unknown key"));
    }

    @Test
    void validationRefusesWhatCannotWork() {
        ProxyConfig config = ProxyConfig.forUpstream("zk:2181")
                .withUpstreamTls(UpstreamTlsConfig.trusting(null).withClientCertificate("/p.pem", "/p.key"))
                .withTenants(TenantConfig.named("a").withListen("0.0.0.0:1").withTls(true)
                                .withClientIdentities(List.of("spiffe://x", "ip:1.2.3.4")),
                        TenantConfig.named("b"));
        assertThat(ConfigValidator.validate(config)).containsExactly(
                "tenants[0].tls: true needs the proxy's tls (certificate and key)",
                "tenants[0].clientIdentities: 'spiffe://x': unknown field 'spiffe' (expected: uri, dns or cn)",
                "tenants[0].clientIdentities: 'ip:1.2.3.4': unknown field 'ip' (expected: uri, dns or cn)",
                "tenants[1].listen: address is missing (expected: host:port)",
                "upstream.tls.cert: a client certificate for the proxy needs upstream.secretFile, so that tenants "
                        + "cannot use the proxy's x509 identity through 'auth' ACLs (see SECURITY.md)");
    }

    @Test
    void sharedListenerNeedsAClientCaAndAPortOfItsOwn() {
        ProxyConfig config = ProxyConfig.forUpstream("zk:2181")
                .withTls(TlsConfig.of("/c", "/k").withListen("0.0.0.0:7461").withProvider("boringssl"))
                .withTenants(TenantConfig.named("a").withListen("0.0.0.0:7461"), TenantConfig.named("shared"));
        assertThat(ConfigValidator.validate(config)).containsExactly(
                "tenants[1].name: 'shared' names the shared TLS listener (tls.listen) in metrics and logs; give the "
                        + "tenant another name",
                "tls.provider: 'boringssl' (expected: auto, openssl or jdk)",
                "tls.listen: the shared TLS listener tells tenants apart by their client certificates, so it needs "
                        + "tls.clientCa",
                "tls.listen: port 7461 is already tenant 'a''s");
    }

    @Test
    void secretsStayOutOfToString() {
        assertThat(TlsConfig.of("/c", "/k").withKeyPassword("hunter2").toString()).doesNotContain("hunter2");
        assertThat(new UpstreamTlsConfig("/ca", "/c", "/k", "hunter2", null).toString()).doesNotContain("hunter2");
    }
}
