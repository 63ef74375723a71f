package io.zktenantproxy.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zktenantproxy.proxy.config.Limits.Limit;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The builders tests configure the proxy with ({@link Limits#with}, {@code TenantConfig.named}, {@code
 * ProxyConfig.forUpstream} and the withers) build exactly what the canonical constructors, which YAML binding uses,
 * build from the same values and nulls for the rest.
 */
class ConfigBuildersTest {

    @Test
    void limitNamesTheRecordComponentsInOrder() {
        List<String> components = Arrays.stream(Limits.class.getRecordComponents())
                .map(c -> c.getName().replaceAll("([A-Z])", "_$1").toUpperCase(Locale.ROOT)).toList();
        assertEquals(components, Arrays.stream(Limit.values()).map(Limit::name).toList());
    }

    @Test
    void withSetsOneLimitAndLeavesTheOthersAtTheirDefaults() throws Exception {
        RecordComponent[] components = Limits.class.getRecordComponents();
        Limits defaults = Limits.defaults();
        for (Limit limit : Limit.values()) {
            Limits changed = defaults.with(limit, 7);
            for (int i = 0; i < components.length; i++) {
                Number expected = i == limit.ordinal() ? 7 : (Number) components[i].getAccessor().invoke(defaults);
                Number actual = (Number) components[i].getAccessor().invoke(changed);
                assertEquals(expected.longValue(), actual.longValue(), limit + ": " + components[i]);
            }
        }
    }

    @Test
    void tenantBuiltAsTheConstructorBuildsIt() {
        assertEquals(new TenantConfig("acme", null, null, null, null, null), TenantConfig.named("acme"));
        assertEquals(new TenantConfig("acme", "/x", "127.0.0.1:0", List.of("p:1"), 5, 6),
                TenantConfig.named("acme").withChroot("/x").withListen("127.0.0.1:0").withAdvertised(List.of("p:1"))
                        .withRequestsPerSecond(5).withBytesPerSecond(6));
    }

    @Test
    void proxyConfigBuiltAsTheConstructorBuildsIt() {
        assertEquals(new ProxyConfig(UpstreamConfig.of("zk:2181"), null, null, null, null, null, null, null, null),
                ProxyConfig.forUpstream("zk:2181"));
        TenantConfig tenant = TenantConfig.named("acme").withListen("127.0.0.1:0");
        Limits limits = Limits.defaults().with(Limit.MAX_IN_FLIGHT, 3);
        AdminConfig admin = new AdminConfig("127.0.0.1:0", null);
        OperatorConfig operator = new OperatorConfig("ops", "pw");
        TlsConfig tls = TlsConfig.of("c.pem", "k.pem").withClientCa("ca.pem");
        UpstreamTlsConfig upstreamTls = UpstreamTlsConfig.trusting("zk-ca.pem");
        assertEquals(new ProxyConfig(new UpstreamConfig("zk:2181", null, upstreamTls), List.of("p:1"), false, limits,
                        admin, "/d", List.of(tenant), operator, tls),
                ProxyConfig.forUpstream("zk:2181").withAdvertised(List.of("p:1")).withCreateChroots(false)
                        .withLimits(limits).withAdmin(admin).withDataDir("/d").withTenants(tenant)
                        .withOperator(operator).withTls(tls).withUpstreamTls(upstreamTls));
    }

    @Test
    void adminConfigBuiltAsTheConstructorBuildsIt() {
        assertEquals(new AdminConfig("127.0.0.1:0", null, null), AdminConfig.listeningOn("127.0.0.1:0"));
        assertEquals(new AdminConfig("127.0.0.1:0", "t", 50),
                AdminConfig.listeningOn("127.0.0.1:0").withToken("t").withSlowThresholdMs(50));
    }
}
