package io.zktenantproxy.proxy.tls;

import io.zktenantproxy.proxy.config.CertificateIdentityRule;
import io.zktenantproxy.proxy.config.CertificateIdentityRule.Identity;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which configured tenants a client certificate names: those whose exact identities
 * ({@link TenantConfig#clientIdentities()}) it carries, and those the rule ({@link CertificateIdentityRule}) extracts
 * from any of its identities. A shared listener takes a certificate that names exactly one tenant; a tenant's own
 * listener one that names exactly that tenant. Immutable; built once per configuration.
 */
public final class TenantCertificates {
    private final CertificateIdentityRule rule;
    private final Set<String> tenants;
    private final Map<String, List<Identity>> exact = new LinkedHashMap<>();

    /**
     * @param rule    the listener-wide rule
     * @param tenants the configured tenants
     */
    public TenantCertificates(CertificateIdentityRule rule, List<TenantConfig> tenants) {
        this.rule = rule;
        Set<String> names = new LinkedHashSet<>();
        for (TenantConfig t : tenants) {
            names.add(t.name());
            exact.put(t.name(), t.clientIdentities().stream().map(Identity::parse).toList());
        }
        this.tenants = Set.copyOf(names);
    }

    /** @return the matcher of {@code config}'s TLS rule and tenants (the default rule without TLS) */
    public static TenantCertificates of(ProxyConfig config) {
        return new TenantCertificates(CertificateIdentityRule.parse(config.tls() == null ? null
                : config.tls().clientIdentity()), config.tenants());
    }

    /** @return the configured tenants {@code certificate} names, in configuration order; empty if none */
    public Set<String> tenantsOf(X509Certificate certificate) {
        List<Identity> identities = CertificateIdentities.of(certificate);
        Set<String> named = new LinkedHashSet<>();
        for (Map.Entry<String, List<Identity>> tenant : exact.entrySet()) {
            for (Identity listed : tenant.getValue()) {
                if (identities.stream().anyMatch(listed::sameAs)) {
                    named.add(tenant.getKey());
                }
            }
        }
        for (Identity identity : identities) {
            Optional<String> extracted = rule.tenantOf(identity);
            if (extracted.isPresent() && tenants.contains(extracted.get())) {
                named.add(extracted.get());
            }
        }
        return named;
    }

    /** @return the identities of {@code certificate} as {@code field:value}, for log lines */
    public static String describe(X509Certificate certificate) {
        return CertificateIdentities.of(certificate).toString();
    }

    /** @return the rule this matcher applies */
    public CertificateIdentityRule rule() {
        return rule;
    }
}
