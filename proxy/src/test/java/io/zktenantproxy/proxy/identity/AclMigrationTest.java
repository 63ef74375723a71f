package io.zktenantproxy.proxy.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.OperatorConfig;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;

/** {@link AclMigration}: what the ACLs of a tree made before tenant identities become under them. */
class AclMigrationTest {
    private static final String S1 = "first-secret-0123456789abcdef";
    private static final String S2 = "second-secret-0123456789abcdef";
    private static final ACL WORLD_ALL = new ACL(Perms.ALL, Ids.ANYONE_ID_UNSAFE);
    private static final ACL WORLD_READ = new ACL(Perms.READ, Ids.ANYONE_ID_UNSAFE);
    private static final ACL ALICE = digest(Perms.ALL, "alice:pw");
    private static final ACL IP = new ACL(Perms.READ, new Id("ip", "10.0.0.0/8"));
    private static final ACL X509 = new ACL(Perms.ALL, new Id("x509", "CN=ops"));
    private static final ACL GLOBEX = new ACL(Perms.ALL, new Id("digest", "zktp-tenant-globex:abc="));

    private final Identities one = Identities.of(UpstreamSecret.of(S1), null);
    private final Identities rolling = Identities.of(UpstreamSecret.of(S2, S1), null);
    private final Identities two = Identities.of(UpstreamSecret.of(S2), null);

    private static ACL digest(int perms, String userPassword) {
        try {
            return new ACL(perms, new Id("digest", DigestAuthenticationProvider.generateDigest(userPassword)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<ACL> ids(Identities identities, String tenant, int perms) {
        return UpstreamAcls.entries(identities.tenant(tenant), perms);
    }

    private static List<ACL> platform(Identities identities) {
        return UpstreamAcls.entries(identities.platform(), Perms.ALL);
    }

    @SafeVarargs
    private static List<ACL> concat(List<ACL>... parts) {
        List<ACL> all = new ArrayList<>();
        for (List<ACL> part : parts) {
            all.addAll(part);
        }
        return all;
    }

    @Test
    void worldBecomesTheTenantIdentityWithItsPermissionsAndThePlatformIsAppended() {
        AclMigration m = new AclMigration(one);
        assertEquals(concat(ids(one, "acme", Perms.ALL), platform(one)), m.tenantZnode("acme", Ids.OPEN_ACL_UNSAFE));
        assertEquals(concat(ids(one, "acme", Perms.READ), platform(one)), m.tenantZnode("acme", Ids.READ_ACL_UNSAFE));
        assertEquals(concat(ids(one, "acme", Perms.READ), ids(one, "acme", Perms.ALL), platform(one)),
                m.tenantZnode("acme", List.of(WORLD_READ, WORLD_ALL)), "one entry per permission set, in order");
        assertEquals(m.chroot("acme"), m.tenantZnode("acme", Ids.OPEN_ACL_UNSAFE),
                "an open znode ends up as the proxy makes a chroot");
    }

    @Test
    void aStaleIdentityOfTheTenantBecomesTheCurrentOneAndDuplicatesCollapse() {
        AclMigration m = new AclMigration(one);
        ACL stale = new ACL(Perms.READ | Perms.WRITE, new Id("digest", "zktp-tenant-acme:c3RhbGUgaGFzaA=="));
        assertEquals(concat(ids(one, "acme", Perms.READ | Perms.WRITE), platform(one)),
                m.tenantZnode("acme", List.of(stale)));
        ACL staleAll = new ACL(Perms.ALL, stale.getId());
        assertEquals(concat(ids(one, "acme", Perms.ALL), platform(one)),
                m.tenantZnode("acme", List.of(WORLD_ALL, staleAll)), "world and the stale id stood for the same");
        assertEquals(concat(ids(one, "acme", Perms.ALL), List.of(ALICE), platform(one)),
                m.tenantZnode("acme", List.of(WORLD_ALL, ALICE, staleAll)), "all duplicates go, the first is kept");
    }

    @Test
    void platformEntriesAreDroppedAndAppendedAtTheEnd() {
        AclMigration m = new AclMigration(one);
        ACL stalePlatform = new ACL(Perms.ALL, new Id("digest", "zktp-proxy:b2xkIHBsYXRmb3Jt"));
        List<ACL> current = concat(platform(one), List.of(WORLD_ALL, stalePlatform, ALICE));
        assertEquals(concat(ids(one, "acme", Perms.ALL), List.of(ALICE), platform(one)),
                m.tenantZnode("acme", current));

        OperatorConfig ops = new OperatorConfig("zktp-ops", "ops-password");
        Identities operated = Identities.of(UpstreamSecret.of(S1), ops);
        ACL operator = digest(Perms.ALL, "zktp-ops:ops-password");
        ACL oldOperator = digest(Perms.READ, "zktp-ops:an-older-password");
        assertEquals(concat(ids(operated, "acme", Perms.ALL), List.of(operator)),
                new AclMigration(operated).tenantZnode("acme", List.of(WORLD_ALL, operator, oldOperator,
                        stalePlatform)), "the operator is the platform; the derived platform user goes too");
    }

    @Test
    void everyOtherEntryIsKeptWhereItStands() {
        AclMigration m = new AclMigration(one);
        List<ACL> current = List.of(ALICE, WORLD_READ, IP, GLOBEX, X509, new ACL(Perms.ALL, new Id("sasl", "bob")));
        assertEquals(concat(List.of(ALICE), ids(one, "acme", Perms.READ), List.of(IP, GLOBEX, X509,
                current.get(5)), platform(one)), m.tenantZnode("acme", current));
        assertEquals(List.of(IP, X509), AclMigration.addressBound(m.tenantZnode("acme", current)));
        assertEquals(concat(List.of(ALICE), platform(one)), m.tenantZnode("acme", List.of(ALICE)),
                "a creator-only znode stays creator-only, the platform joins");
    }

    @Test
    void twoSecretsGiveOneEntryPerIdentityTheCurrentFirst() {
        AclMigration m = new AclMigration(rolling);
        List<ACL> migrated = m.tenantZnode("acme", List.of(WORLD_READ));
        assertEquals(4, migrated.size(), migrated.toString());
        assertEquals(ids(two, "acme", Perms.READ).get(0), migrated.get(0), "the current secret first");
        assertEquals(ids(one, "acme", Perms.READ).get(0), migrated.get(1));
        assertEquals(platform(two).get(0), migrated.get(2));
        assertEquals(platform(one).get(0), migrated.get(3));
        assertEquals(concat(platform(rolling), ids(rolling, "acme", Perms.CREATE)),
                m.markerRoot(List.of("acme"), Ids.OPEN_ACL_UNSAFE));
    }

    @Test
    void aRotationNamesBothIdentitiesThenTheNewOneAlone() {
        List<ACL> before = List.of(WORLD_READ, ALICE, WORLD_ALL);
        List<ACL> first = new AclMigration(one).tenantZnode("acme", before);
        List<ACL> during = new AclMigration(rolling).tenantZnode("acme", first);
        List<ACL> after = new AclMigration(two).tenantZnode("acme", during);
        assertEquals(new AclMigration(rolling).tenantZnode("acme", before), during,
                "migrating during the roll equals migrating the original tree during the roll");
        assertEquals(new AclMigration(two).tenantZnode("acme", before), after,
                "after the roll nothing of the old secret is left");
        String oldTenant = one.tenant("acme").get(0).id();
        String oldPlatform = one.platform().get(0).id();
        assertTrue(during.stream().anyMatch(a -> a.getId().getId().equals(oldTenant)));
        assertFalse(after.stream().anyMatch(a -> a.getId().getId().equals(oldTenant)
                || a.getId().getId().equals(oldPlatform)), after.toString());
    }

    @Test
    void migratingTwiceChangesNothing() {
        List<List<ACL>> lists = List.of(Ids.OPEN_ACL_UNSAFE, Ids.READ_ACL_UNSAFE, List.of(WORLD_READ, WORLD_ALL),
                List.of(ALICE), List.of(WORLD_ALL, ALICE, IP, X509, GLOBEX), List.of(WORLD_ALL, WORLD_READ, WORLD_ALL));
        for (Identities identities : List.of(one, rolling, two)) {
            AclMigration m = new AclMigration(identities);
            for (List<ACL> acl : lists) {
                List<ACL> once = m.tenantZnode("acme", acl);
                assertEquals(once, m.tenantZnode("acme", once), acl.toString());
                List<ACL> root = m.markerRoot(List.of("acme", "globex"), acl);
                assertEquals(root, m.markerRoot(List.of("acme", "globex"), root), acl.toString());
            }
        }
    }

    @Test
    void theMarkerRootGrantsEachMigratedTenantCreateAndKeepsOtherTenantsGrants() {
        AclMigration m = new AclMigration(one);
        List<ACL> open = m.markerRoot(List.of("acme"), Ids.OPEN_ACL_UNSAFE);
        assertEquals(concat(platform(one), ids(one, "acme", Perms.CREATE)), open, "world:anyone goes");
        ACL globexCreate = ids(one, "globex", Perms.CREATE).get(0);
        ACL staleAcme = new ACL(Perms.CREATE, new Id("digest", "zktp-tenant-acme:b2xk"));
        List<ACL> granted = concat(platform(one), List.of(globexCreate, staleAcme));
        assertEquals(concat(platform(one), List.of(globexCreate), ids(one, "acme", Perms.CREATE)),
                m.markerRoot(List.of("acme"), granted), "the stale grant is replaced where it stood");
        List<ACL> globexFirst = m.markerRoot(List.of("acme"), concat(platform(one), List.of(globexCreate)));
        assertEquals(globexFirst, m.markerRoot(List.of("acme"), globexFirst), "a tenant's grant keeps its place");
        assertEquals(globexFirst, new AclMigration(one).markerRoot(List.of("globex"), globexFirst),
                "migrating another tenant later leaves earlier grants alone");
    }

    @Test
    void aListReadWithoutAdminIsRecognisedAndDescriptionsShowNoPassword() {
        assertTrue(AclMigration.redacted(List.of(WORLD_READ, new ACL(Perms.ALL, new Id("digest", "alice:x")))));
        assertFalse(AclMigration.redacted(List.of(WORLD_READ, ALICE)));
        String described = AclMigration.describe(new AclMigration(one).chroot("acme"));
        assertTrue(described.startsWith("[digest:zktp-tenant-acme:"), described);
        assertTrue(described.contains(" cdrwa, digest:zktp-proxy:"), described);
        for (DigestCredential c : one.tenant("acme")) {
            assertFalse(described.contains(c.password()), "a password in " + described);
        }
        assertFalse(described.contains(S1));
    }

    @Test
    void withoutASecretThereIsNothingToMigrateTo() {
        assertThrows(IllegalArgumentException.class, () -> new AclMigration(Identities.of(null, null)));
    }
}
