package io.zktenantproxy.proxy.identity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACL a znode must carry once a tree made before tenant identities existed is put under them
 * ({@code migrate-acls}): the list the proxy itself would have written. Pure: it reads no ensemble, it maps the ACL a
 * znode has to the one it must have. Every list returned is what the ensemble stores for it, duplicates removed
 * keeping the first ({@code PrepRequestProcessor.removeDuplicates}), so a znode already migrated maps to its own
 * ACL and a second run changes nothing.
 *
 * <pre>
 * tenant znode (under the chroot)   world:anyone P, digest:zktp-tenant-T:&lt;any&gt; P  -&gt;  digest:&lt;T's id&gt; P per secret
 *                                   digest:&lt;platform user&gt;:* (operator, zktp-proxy) -&gt;  (dropped)
 *                                   anything else (ip:, x509: included)              -&gt;  as it is
 *                                   then digest:&lt;platform id&gt; ALL per platform identity
 * marker root                       platform ALL, then the entries kept, each migrated tenant's ids CREATE
 *                                   (in place of its own entries, else at the end); world:anyone dropped
 * chroot, its parents, the proxy's own znodes, quota znodes: fixed, see {@link UpstreamAcls}
 * </pre>
 *
 * The tenant rule is {@code SessionAcls} (protocol module) applied to what the tenant sees through the proxy
 * ({@code getACL} shows its identity as {@code world:anyone} and hides the platform), so the tenant still sees the
 * ACLs it set. Two exceptions: an {@code ip:} or {@code x509:} entry, which the proxy refuses in new lists (the
 * ensemble sees the proxy's address and certificate), is kept and reported ({@link #addressBound}); and with an
 * operator identity configured, entries of {@value Identities#PLATFORM_USER} (left by a migration made before the
 * operator was) are dropped too, though the proxy would let a tenant name that user.
 */
public final class AclMigration {
    private final Identities identities;
    private final UpstreamAcls acls;
    private final Set<String> platformUsers;

    /**
     * @param identities identities with an upstream secret
     * @throws IllegalArgumentException without one: there is nothing to migrate to
     */
    public AclMigration(Identities identities) {
        if (!identities.enabled()) {
            throw new IllegalArgumentException("an upstream secret is needed: identities are derived from it");
        }
        this.identities = identities;
        this.acls = new UpstreamAcls(identities);
        // the platform's users now, and the derived one whatever is configured: a tree migrated before an operator
        // identity was configured names it, and only the platform may ever hold it
        Set<String> users = new HashSet<>();
        identities.platform().forEach(c -> users.add(c.user()));
        users.add(Identities.PLATFORM_USER);
        this.platformUsers = Set.copyOf(users);
    }

    /** @return the ACL of {@code tenant}'s chroot znode ({@link UpstreamAcls#chroot}) */
    public List<ACL> chroot(String tenant) {
        return acls.chroot(tenant);
    }

    /** @return the ACL of a chroot's parents and the proxy's own znodes ({@link UpstreamAcls#platformOnly}) */
    public List<ACL> platformOnly() {
        return acls.platformOnly();
    }

    /** @return the ACL of quota znodes ({@link UpstreamAcls#quota}) */
    public List<ACL> quota() {
        return acls.quota();
    }

    /**
     * @param tenant  the tenant whose chroot holds the znode
     * @param current the znode's ACL as {@code getACL} returns it to a reader with ADMIN (no digest blanked)
     * @return the znode's ACL under {@code tenant}'s identities; see the class comment
     */
    public List<ACL> tenantZnode(String tenant, List<ACL> current) {
        String tenantUser = Identities.tenantUser(tenant);
        List<ACL> tenantEntries = UpstreamAcls.entries(identities.tenant(tenant), ZooDefs.Perms.ALL);
        List<ACL> next = new ArrayList<>();
        for (ACL entry : current) {
            if (isWorld(entry.getId()) || tenantUser.equals(digestUser(entry.getId()))) {
                tenantEntries.forEach(t -> next.add(new ACL(entry.getPerms(), t.getId())));
            } else if (!isPlatform(entry.getId())) {
                next.add(entry);
            }
        }
        next.addAll(acls.platformOnly());
        return removeDuplicates(next);
    }

    /**
     * @param tenants the tenants migrated now, each of which must be able to create session markers
     * @param current the marker root's ACL as {@code getACL} returns it to a reader with ADMIN
     * @return the platform with ALL, then every entry kept (other tenants' grants, anything else an operator added)
     *     with each migrated tenant's own entries replaced by its identities with CREATE where the first of them
     *     stood, then the grants of migrated tenants that had none; {@code world:anyone} and stale platform entries
     *     dropped
     */
    public List<ACL> markerRoot(Collection<String> tenants, List<ACL> current) {
        Set<String> pending = new LinkedHashSet<>(tenants);
        Set<String> granted = new HashSet<>();
        List<ACL> next = new ArrayList<>(acls.platformOnly());
        for (ACL entry : current) {
            String user = digestUser(entry.getId());
            String tenant = user == null ? null : tenantOf(user, pending);
            if (tenant != null) {
                if (granted.add(tenant)) {
                    next.addAll(acls.markerGrant(tenant));
                }
            } else if (!isWorld(entry.getId()) && !isPlatform(entry.getId())) {
                next.add(entry);
            }
        }
        pending.stream().filter(t -> !granted.contains(t)).forEach(t -> next.addAll(acls.markerGrant(t)));
        return removeDuplicates(next);
    }

    /** @return the {@code ip:} and {@code x509:} entries of {@code acl}: kept, but worth a warning */
    public static List<ACL> addressBound(List<ACL> acl) {
        return acl.stream().filter(a -> "ip".equals(a.getId().getScheme()) || "x509".equals(a.getId().getScheme()))
                .toList();
    }

    /**
     * @return whether {@code acl} was read without ADMIN permission: the ensemble then blanks every digest hash to
     *     {@code user:x} ({@code FinalRequestProcessor}, getACL), so the list cannot be rewritten (nor set: setACL needs
     *     ADMIN too)
     */
    public static boolean redacted(List<ACL> acl) {
        return acl.stream().anyMatch(a -> "digest".equals(a.getId().getScheme()) && a.getId().getId() != null
                && a.getId().getId().endsWith(":x"));
    }

    /**
     * @return {@code acl} in one line, {@code [world:anyone cdrwa, digest:zktp-proxy:<hash> cdrwa]}, permissions as
     *     {@code zkCli getAcl} spells them; digest ids show the user and the hash, never a password
     */
    public static String describe(List<ACL> acl) {
        return acl.stream().map(a -> a.getId().getScheme() + ":" + a.getId().getId() + " "
                + ZKUtil.getPermString(a.getPerms())).collect(Collectors.joining(", ", "[", "]"));
    }

    /** @return {@code acl} without repeated entries, the first of each kept, as the ensemble stores it */
    static List<ACL> removeDuplicates(List<ACL> acl) {
        List<ACL> unique = new ArrayList<>(acl.size());
        for (ACL entry : acl) {
            if (!unique.contains(entry)) {
                unique.add(entry);
            }
        }
        return Collections.unmodifiableList(unique); // not List.copyOf: ZooKeeper asks it contains(null)
    }

    private static boolean isWorld(Id id) {
        return ZooDefs.Ids.ANYONE_ID_UNSAFE.equals(id);
    }

    /** @return whether {@code id} is a digest id of a platform user, whatever its hash (a stale secret's included) */
    private boolean isPlatform(Id id) {
        String user = digestUser(id);
        return user != null && platformUsers.contains(user);
    }

    /** @return the user name of a {@code digest} entry ({@code user:hash}), else null */
    private static String digestUser(Id id) {
        if (!"digest".equals(id.getScheme()) || id.getId() == null) {
            return null;
        }
        int colon = id.getId().indexOf(':');
        return colon < 0 ? id.getId() : id.getId().substring(0, colon);
    }

    private static String tenantOf(String user, Set<String> tenants) {
        return tenants.stream().filter(t -> Identities.tenantUser(t).equals(user)).findFirst().orElse(null);
    }
}
