package io.zktenantproxy.proxy.identity;

import io.zktenantproxy.proxy.config.OperatorConfig;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ZooKeeper identities the proxy acts under on the ensemble, all derived from the upstream secret so that every
 * replica agrees and nothing per tenant is stored or distributed.
 *
 * <ul>
 *   <li>Tenant {@code T}: user {@value #TENANT_USER_PREFIX}{@code T}, password
 *       {@code base64url(HMAC-SHA256(secret, "zk-tenant-proxy/v1/tenant/" + T))} (43 characters, no padding). The user
 *       name is public; the password cannot be known without the secret, so a tenant that names another tenant's
 *       user gets an id of its own, which no ACL grants.</li>
 *   <li>The platform (the proxy's own client: chroots, session markers, quota znodes, tree reads): the configured
 *       operator identity when there is one, else user {@value #PLATFORM_USER} with password
 *       {@code base64url(HMAC-SHA256(secret, "zk-tenant-proxy/v1/platform"))}.</li>
 * </ul>
 *
 * With several secrets (a rotation under way), each list holds one credential per secret, the current one first.
 * Without a secret there are no tenant identities and the platform is the operator identity, if any: the proxy
 * behaves as before identities existed.
 */
public final class Identities {
    /** User name prefix of the tenant identities; the tenant's name follows. */
    public static final String TENANT_USER_PREFIX = "zktp-tenant-";
    /** User name of the platform identity derived from the secret (when no operator identity is configured). */
    public static final String PLATFORM_USER = "zktp-proxy";
    private static final String MAC = "HmacSHA256";

    private final List<byte[]> secrets;
    private final List<DigestCredential> platform;
    /** Derived once per tenant: connections ask on the event loop, and an HMAC plus a SHA-1 each time shows. */
    private final Map<String, List<DigestCredential>> tenants = new ConcurrentHashMap<>();

    private Identities(List<byte[]> secrets, OperatorConfig operator) {
        this.secrets = secrets;
        this.platform = operator != null ? List.of(new DigestCredential(operator.user(), operator.password()))
                : secrets.stream().map(s -> new DigestCredential(PLATFORM_USER, derive(s, "platform"))).toList();
    }

    /**
     * @param secret   the upstream secret, or null for none
     * @param operator the configured operator identity, or null
     */
    public static Identities of(UpstreamSecret secret, OperatorConfig operator) {
        return new Identities(secret == null ? List.of() : secret.secrets(), operator);
    }

    /** @return whether an upstream secret is configured: tenants then act upstream under identities of their own */
    public boolean enabled() {
        return !secrets.isEmpty();
    }

    /** @return the user name of {@code tenant}'s identity, whether or not identities are enabled */
    public static String tenantUser(String tenant) {
        return TENANT_USER_PREFIX + tenant;
    }

    /** @return {@code tenant}'s credentials, one per secret, the current first; empty without a secret */
    public List<DigestCredential> tenant(String tenant) {
        return tenants.computeIfAbsent(tenant, t -> secrets.stream()
                .map(s -> new DigestCredential(tenantUser(t), derive(s, "tenant/" + t))).toList());
    }

    /**
     * @return the credentials of the proxy's own client: the operator identity if configured, else one derived
     *     per secret (current first); empty with neither
     */
    public List<DigestCredential> platform() {
        return platform;
    }

    private static String derive(byte[] secret, String purpose) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(new SecretKeySpec(secret, MAC));
            byte[] tag = mac.doFinal(("zk-tenant-proxy/v1/" + purpose).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(tag);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(MAC + " is not available", e);
        }
    }

    @Override
    public String toString() {
        return "Identities[" + secrets.size() + " secret(s), platform=" + platform.stream().map(DigestCredential::user)
                .toList() + "]";
    }
}
