package io.zktenantproxy.protocol;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code digest} identities a tenant's upstream sessions carry, as far as the protocol needs them: what the proxy
 * authenticates every session as, what {@code world:anyone} becomes in the tenant's ACL lists, and which ids the
 * tenant must never see ({@code getACL}, {@code whoAmI}). Built by the proxy from the upstream secret.
 *
 * @param tenantAuth  the {@code auth} field ({@code user:password}) of each tenant identity, the current one first;
 *                    every upstream session authenticates as each of them, in order
 * @param tenantIds   the ACL id of each ({@code user:base64(sha1(user:password))}), same order
 * @param platformIds the ACL ids of the platform (operator) identities, granted ALL in every list
 * @param digestOf    {@code DigestAuthenticationProvider.generateDigest}: the id a {@code digest} auth of the tenant's
 *                    own yields, for expanding {@code auth} ACL entries
 */
public record UpstreamIdentity(List<byte[]> tenantAuth, List<String> tenantIds, List<String> platformIds,
                               Function<byte[], String> digestOf) {
    public UpstreamIdentity {
        tenantAuth = List.copyOf(tenantAuth);
        tenantIds = List.copyOf(tenantIds);
        platformIds = List.copyOf(platformIds);
        if (tenantAuth.isEmpty() || tenantAuth.size() != tenantIds.size() || platformIds.isEmpty()) {
            throw new IllegalArgumentException("expected: one id per tenant credential, and a platform id");
        }
        if (users(tenantIds).size() != 1) {
            throw new IllegalArgumentException("expected: one user name for every tenant identity");
        }
    }

    /** @return the tenant identity's user name, e.g. {@code zktp-tenant-acme} */
    public String tenantUser() {
        return user(tenantIds.get(0));
    }

    /** @return the platform identities' user names */
    public Set<String> platformUsers() {
        return users(platformIds);
    }

    static String user(String digestId) {
        int colon = digestId.indexOf(':');
        return colon < 0 ? digestId : digestId.substring(0, colon);
    }

    private static Set<String> users(List<String> ids) {
        return ids.stream().map(UpstreamIdentity::user).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public String toString() {
        return "UpstreamIdentity[tenant=" + tenantUser() + " x" + tenantAuth.size() + ", platform="
                + platformUsers() + ", credentials=***]";
    }
}
