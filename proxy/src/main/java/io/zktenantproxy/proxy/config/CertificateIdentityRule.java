package io.zktenantproxy.proxy.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which tenant a client certificate names, from one of its identities: a URI SAN (a SPIFFE ID), a DNS SAN, or the
 * subject CN. Written {@code FIELD:TEMPLATE}, where the template holds {@code {tenant}} once and may hold {@code *}:
 *
 * <pre>
 * default                                  CN or a DNS SAN equal to the tenant name
 * uri:spiffe://platform/ns/{tenant}/sa/*   a URI SAN; * is one path segment
 * dns:{tenant}.flink.svc.cluster.local     a DNS SAN; * is one label
 * cn:flink-{tenant}                        the subject CN; * is any run of characters
 * </pre>
 *
 * The same {@code FIELD:VALUE} form, without {@code {tenant}} or {@code *}, names exact identities a tenant lists
 * ({@link TenantConfig#clientIdentities()}). The rule only extracts a name; the caller checks that it is a
 * configured tenant.
 */
public final class CertificateIdentityRule {
    /** The default rule: CN or a DNS SAN equal to the tenant name. */
    public static final String DEFAULT = "default";
    private static final String TENANT = "{tenant}";

    /** Where in a certificate an identity is. */
    public enum Field {
        /** A URI subject alternative name (SPIFFE IDs are these). */
        URI,
        /** A DNS subject alternative name. */
        DNS,
        /** The subject's common name. */
        CN;

        /** @return the prefix of this field in rules and identities, e.g. {@code uri} */
        public String prefix() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String text;
    private final Field field;
    private final Pattern pattern;

    private CertificateIdentityRule(String text, Field field, Pattern pattern) {
        this.text = text;
        this.field = field;
        this.pattern = pattern;
    }

    /**
     * @param rule {@code default} or {@code FIELD:TEMPLATE}
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static CertificateIdentityRule parse(String rule) {
        if (rule == null || DEFAULT.equals(rule)) {
            return new CertificateIdentityRule(DEFAULT, null, null);
        }
        Identity identity = Identity.parse(rule);
        String template = identity.value();
        int at = template.indexOf(TENANT);
        if (at < 0 || template.indexOf(TENANT, at + 1) >= 0) {
            throw new IllegalArgumentException("'" + rule + "': the template must hold " + TENANT + " exactly once");
        }
        String any = switch (identity.field()) {
            case URI -> "[^/]+";
            case DNS -> "[^.]+";
            case CN -> ".+";
        };
        String name = identity.field() == Field.DNS ? "([A-Za-z0-9][A-Za-z0-9_-]*)" : "([A-Za-z0-9][A-Za-z0-9_.-]*)";
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < template.length(); ) {
            if (template.startsWith(TENANT, i)) {
                regex.append(name);
                i += TENANT.length();
            } else if (template.charAt(i) == '*') {
                regex.append(any);
                i++;
            } else {
                int next = nextSpecial(template, i);
                regex.append(Pattern.quote(template.substring(i, next)));
                i = next;
            }
        }
        int flags = identity.field() == Field.DNS ? Pattern.CASE_INSENSITIVE : 0;
        return new CertificateIdentityRule(rule, identity.field(), Pattern.compile(regex.toString(), flags));
    }

    private static int nextSpecial(String template, int from) {
        int star = template.indexOf('*', from);
        int tenant = template.indexOf(TENANT, from);
        int next = template.length();
        if (star >= 0) {
            next = star;
        }
        if (tenant >= 0 && tenant < next) {
            next = tenant;
        }
        return next;
    }

    /** @return whether this is the {@code default} rule */
    public boolean isDefault() {
        return field == null;
    }

    /**
     * @param identity one identity of a certificate
     * @return the tenant name the rule extracts from it, if the identity matches; the {@code default} rule returns the
     *     CN or DNS SAN itself
     */
    public Optional<String> tenantOf(Identity identity) {
        if (field == null) {
            return identity.field() == Field.URI ? Optional.empty() : Optional.of(identity.value());
        }
        if (identity.field() != field) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(identity.value());
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * One identity of a certificate, or one a tenant lists: {@code FIELD:VALUE}.
     *
     * @param field where it is in the certificate
     * @param value the SAN or CN, as written in the certificate
     */
    public record Identity(Field field, String value) {
        /**
         * @param text {@code uri:...}, {@code dns:...} or {@code cn:...}
         * @throws IllegalArgumentException if the prefix is none of those or the value is empty
         */
        public static Identity parse(String text) {
            int colon = text == null ? -1 : text.indexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("'" + text + "' (expected: uri:VALUE, dns:VALUE or cn:VALUE)");
            }
            String prefix = text.substring(0, colon);
            for (Field f : Field.values()) {
                if (f.prefix().equals(prefix)) {
                    return new Identity(f, text.substring(colon + 1));
                }
            }
            throw new IllegalArgumentException("'" + text + "': unknown field '" + prefix
                    + "' (expected: uri, dns or cn)");
        }

        /** @return whether this names the same identity as {@code other} (DNS names compare case-insensitively) */
        public boolean sameAs(Identity other) {
            return field == other.field && (field == Field.DNS ? value.equalsIgnoreCase(other.value)
                    : value.equals(other.value));
        }

        @Override
        public String toString() {
            return field.prefix() + ":" + value;
        }
    }
}
