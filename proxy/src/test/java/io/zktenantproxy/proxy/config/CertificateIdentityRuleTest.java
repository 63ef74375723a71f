package io.zktenantproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zktenantproxy.proxy.config.CertificateIdentityRule.Field;
import io.zktenantproxy.proxy.config.CertificateIdentityRule.Identity;
import org.junit.jupiter.api.Test;

class CertificateIdentityRuleTest {
    @Test
    void defaultRuleNamesTheCnOrDnsSanButNeverAUri() {
        CertificateIdentityRule rule = CertificateIdentityRule.parse(null);
        assertThat(rule.isDefault()).isTrue();
        assertThat(rule.tenantOf(new Identity(Field.CN, "acme"))).contains("acme");
        assertThat(rule.tenantOf(new Identity(Field.DNS, "acme"))).contains("acme");
        assertThat(rule.tenantOf(new Identity(Field.URI, "acme"))).isEmpty();
    }

    @Test
    void spiffePatternExtractsTheTenantFromItsSegmentOnly() {
        CertificateIdentityRule rule = CertificateIdentityRule.parse("uri:spiffe://platform/ns/{tenant}/sa/*");
        assertThat(rule.tenantOf(new Identity(Field.URI, "spiffe://platform/ns/acme/sa/flink"))).contains("acme");
        assertThat(rule.tenantOf(new Identity(Field.URI, "spiffe://platform/ns/acme/sa/flink/extra"))).isEmpty();
        assertThat(rule.tenantOf(new Identity(Field.URI, "spiffe://platform/ns/a/b/sa/flink"))).isEmpty();
        assertThat(rule.tenantOf(new Identity(Field.URI, "spiffe://other/ns/acme/sa/flink"))).isEmpty();
        assertThat(rule.tenantOf(new Identity(Field.DNS, "spiffe://platform/ns/acme/sa/flink"))).isEmpty();
        assertThat(rule.tenantOf(new Identity(Field.URI, "xspiffe://platform/ns/acme/sa/flink"))).isEmpty();
    }

    @Test
    void literalPartsAreNotRegularExpressions() {
        CertificateIdentityRule rule = CertificateIdentityRule.parse("dns:{tenant}.flink.svc");
        assertThat(rule.tenantOf(new Identity(Field.DNS, "acme.flink.svc"))).contains("acme");
        assertThat(rule.tenantOf(new Identity(Field.DNS, "ACME.FLINK.SVC"))).contains("ACME");
        assertThat(rule.tenantOf(new Identity(Field.DNS, "acmeXflinkXsvc"))).isEmpty();
        assertThat(rule.tenantOf(new Identity(Field.DNS, "a.b.flink.svc"))).isEmpty();
    }

    @Test
    void cnTemplateAllowsAnyRunForTheStar() {
        CertificateIdentityRule rule = CertificateIdentityRule.parse("cn:flink-{tenant}-*");
        assertThat(rule.tenantOf(new Identity(Field.CN, "flink-acme-jobmanager-0"))).isPresent();
        assertThat(rule.tenantOf(new Identity(Field.CN, "flink-acme"))).isEmpty();
    }

    @Test
    void rulesWithoutExactlyOneTenantOrWithAnUnknownFieldAreRefused() {
        assertThatThrownBy(() -> CertificateIdentityRule.parse("uri:spiffe://platform/ns/acme"))
                .hasMessageContaining("exactly once");
        assertThatThrownBy(() -> CertificateIdentityRule.parse("uri:{tenant}/{tenant}"))
                .hasMessageContaining("exactly once");
        assertThatThrownBy(() -> CertificateIdentityRule.parse("ip:{tenant}")).hasMessageContaining("unknown field");
        assertThatThrownBy(() -> CertificateIdentityRule.parse("{tenant}")).hasMessageContaining("expected");
        assertThatThrownBy(() -> Identity.parse("cn:")).hasMessageContaining("expected");
    }

    @Test
    void dnsIdentitiesCompareWithoutCaseOthersExactly() {
        assertThat(Identity.parse("dns:Acme.Example").sameAs(Identity.parse("dns:acme.example"))).isTrue();
        assertThat(Identity.parse("cn:Acme").sameAs(Identity.parse("cn:acme"))).isFalse();
        assertThat(Identity.parse("uri:spiffe://p/a").sameAs(Identity.parse("cn:spiffe://p/a"))).isFalse();
    }
}
