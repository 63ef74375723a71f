package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the proxy does to the ACL lists a tenant sends ({@code vector<ACL>} in create, create2, createContainer,
 * createTTL and setACL, also inside multi) and to the replies that show identities ({@code getACL},
 * {@code whoAmI}). One per tenant, immutable; each connection applies it through its own {@link SessionAcls}.
 *
 * <ul>
 *   <li>{@link #NONE}: everything passes as sent.</li>
 *   <li>{@link #appendOperator}: every non-empty list gets {@code ACL{ALL, Id{scheme, id}}} unless it already grants
 *       that identity everything, so the proxy's own client (authenticated as the operator) keeps provisioning,
 *       inspecting and cleaning up whatever ACLs the tenant sets; {@code getACL} does not show that entry.</li>
 *   <li>{@link #isolating}: the tenant has an identity of its own on the ensemble ({@link UpstreamIdentity}), and
 *       the ensemble itself refuses anyone else. In every list {@code world:anyone} becomes the tenant identity with
 *       the same permissions; {@code auth} becomes the tenant's own digest ids (the proxy expands it, because the
 *       ensemble would add the tenant identity too and so give every session of the tenant what only its creator
 *       should have); {@code ip:} and {@code x509:} entries are refused with {@code INVALIDACL} (the ensemble sees
 *       the proxy's address and certificate, so they would name every tenant, and an {@code ip:} range opens the
 *       znode to direct clients); entries naming the tenant or platform identity are refused too; the platform
 *       identities are appended with ALL. {@code getACL} shows the tenant identity as {@code world:anyone} and hides
 *       the platform; {@code whoAmI} hides both.</li>
 * </ul>
 *
 * An empty list is left empty (the ensemble refuses it with {@code INVALIDACL}, as it would directly). The chroot
 * znode's own ACL cannot be changed by the tenant (setACL on {@code /} is refused; see {@code ChrootPolicy}).
 *
 * <pre>
 * ACL: int perms | Id{ ustring scheme | ustring id }
 * </pre>
 */
public final class AclPolicy {
    /** {@code ZooDefs.Perms.ALL}. */
    public static final int PERMS_ALL = 31;
    /** Leave every ACL as sent. */
    public static final AclPolicy NONE = new AclPolicy(null, null);

    private final List<String> appended;
    private final UpstreamIdentity identity;
    /** Derived once per tenant: every connection's {@link SessionAcls} reads them. */
    private final Set<String> hiddenUsers;
    private final List<byte[]> hiddenUserBytes;
    private final byte[] operatorIdBytes;

    private AclPolicy(List<String> appended, UpstreamIdentity identity) {
        this.appended = appended;
        this.identity = identity;
        Set<String> users = new HashSet<>();
        if (appended != null) {
            appended.forEach(id -> users.add(UpstreamIdentity.user(id)));
        }
        if (identity != null) {
            users.add(identity.tenantUser());
        }
        this.hiddenUsers = Set.copyOf(users);
        this.hiddenUserBytes = hiddenUsers.stream().map(u -> u.getBytes(StandardCharsets.UTF_8)).toList();
        this.operatorIdBytes = appended == null || appended.isEmpty() ? null
                : appended.get(0).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param scheme e.g. {@code digest}
     * @param id     e.g. {@code zktp-ops:<base64 sha1 of user:password>}, as {@code DigestAuthenticationProvider}
     *               makes it
     */
    public static AclPolicy appendOperator(String scheme, String id) {
        if (!"digest".equals(scheme)) {
            throw new IllegalArgumentException("only the digest scheme is supported for the operator");
        }
        return new AclPolicy(List.of(id), null);
    }

    /** A tenant with an identity of its own upstream; see the class comment. */
    public static AclPolicy isolating(UpstreamIdentity identity) {
        return new AclPolicy(identity.platformIds(), identity);
    }

    /** @return whether ACL lists are rewritten at all */
    public boolean active() {
        return appended != null;
    }

    /** @return the tenant's upstream identity, or null when it has none */
    public UpstreamIdentity identity() {
        return identity;
    }

    /** @return the platform ids appended to every list with ALL (empty for {@link #NONE}) */
    List<String> appended() {
        return appended == null ? List.of() : appended;
    }

    /** @return the digest user names a tenant must not see in replies (tenant and platform identities) */
    Set<String> hiddenUsers() {
        return hiddenUsers;
    }

    /** @return {@link #hiddenUsers()} in UTF-8, for comparing the ids of a list as bytes */
    List<byte[]> hiddenUserBytes() {
        return hiddenUserBytes;
    }

    /** @return the first appended id in UTF-8 (the operator's, for {@link #appendOperator}), or null */
    byte[] operatorIdBytes() {
        return operatorIdBytes;
    }

    /**
     * Writes the {@code vector<ACL>} of a znode the proxy creates on a tenant's session (its session marker): the
     * platform identities with ALL, or {@code world:anyone ALL} when the tenant has no identity.
     */
    public void writePlatformAcl(ByteBuf out) {
        if (identity == null) {
            out.writeInt(1);
            out.writeInt(PERMS_ALL);
            Jute.writeString(out, "world");
            Jute.writeString(out, "anyone");
            return;
        }
        out.writeInt(identity.platformIds().size());
        for (String id : identity.platformIds()) {
            out.writeInt(PERMS_ALL);
            Jute.writeString(out, "digest");
            Jute.writeString(out, id);
        }
    }

    @Override
    public String toString() {
        return identity != null ? "AclPolicy[isolating " + identity + "]"
                : active() ? "AclPolicy[append operator]" : "AclPolicy[none]";
    }
}
