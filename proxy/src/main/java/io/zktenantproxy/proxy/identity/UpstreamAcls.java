package io.zktenantproxy.proxy.identity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

/**
 * The ACLs of the znodes the proxy itself creates upstream, from the {@link Identities}. With identities enabled,
 * nothing the platform owns is open to a client that reaches the ensemble directly:
 *
 * <pre>
 * /tenants, /zk-tenant-proxy, quota znodes    platform ALL                        (nobody else can even list them)
 * /tenants/T (the chroot)                     tenant T ALL, platform ALL
 * /zk-tenant-proxy/sessions (marker root)     platform ALL, each tenant CREATE    (a tenant's session adds its marker)
 * /zk-tenant-proxy/sessions/&lt;id&gt; (marker)   platform ALL
 * </pre>
 *
 * Without identities every one of them is {@code world:anyone ALL} (the ZooKeeper default, {@code OPEN_ACL_UNSAFE}),
 * apart from the quota znodes, which get the operator identity alone when there is one.
 */
public final class UpstreamAcls {
    /** The proxy's own tree upstream, outside every chroot. */
    public static final String PLATFORM_ROOT = "/zk-tenant-proxy";
    /** Parent of the session ownership markers ({@code SessionRegistry}). */
    public static final String MARKER_ROOT = PLATFORM_ROOT + "/sessions";

    private final Identities identities;
    private final List<ACL> platformAll;
    /** Per tenant, computed once: the gate asks for them on every connection, and each id is a SHA-1. */
    private final Map<String, List<ACL>> chroots = new ConcurrentHashMap<>();
    private final Map<String, List<ACL>> markerGrants = new ConcurrentHashMap<>();

    public UpstreamAcls(Identities identities) {
        this.identities = identities;
        this.platformAll = entries(identities.platform(), ZooDefs.Perms.ALL);
    }

    /** @return whether the platform's znodes are locked (an upstream secret is configured) */
    public boolean locked() {
        return identities.enabled();
    }

    /** @return the ACL of the znodes only the platform may touch (parents of chroots, the proxy's own tree) */
    public List<ACL> platformOnly() {
        return locked() ? platformAll : ZooDefs.Ids.OPEN_ACL_UNSAFE;
    }

    /** @return the ACL of the quota znodes: the platform alone whenever it has an identity */
    public List<ACL> quota() {
        return platformAll.isEmpty() ? ZooDefs.Ids.OPEN_ACL_UNSAFE : platformAll;
    }

    /** @return the ACL of {@code tenant}'s chroot znode */
    public List<ACL> chroot(String tenant) {
        if (!locked()) {
            return ZooDefs.Ids.OPEN_ACL_UNSAFE;
        }
        return chroots.computeIfAbsent(tenant, t -> {
            List<ACL> acl = new ArrayList<>(entries(identities.tenant(t), ZooDefs.Perms.ALL));
            acl.addAll(platformAll);
            return Collections.unmodifiableList(acl); // not List.copyOf: ZooKeeper asks it contains(null)
        });
    }

    /** @return the entries the marker root must hold so that {@code tenant}'s sessions can create their markers */
    public List<ACL> markerGrant(String tenant) {
        return locked() ? markerGrants.computeIfAbsent(tenant, t -> entries(identities.tenant(t), ZooDefs.Perms.CREATE))
                : List.of();
    }

    /** @return the {@code digest} entries granting {@code perms} to each credential, in order */
    public static List<ACL> entries(List<DigestCredential> credentials, int perms) {
        return credentials.stream().map(c -> new ACL(perms, new Id("digest", c.id()))).toList();
    }
}
