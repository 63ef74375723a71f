package io.zktenantproxy.proxy.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.OperatorConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ACL policy (SECURITY.md): with an operator identity configured, a tenant cannot lock the platform out of
 * its chroot, whatever ACLs it sets; and the chroot znode's own ACL is never the tenant's to change.
 */
class AclPolicyIT {
    private static final String OPERATOR = "zktp-ops:s3cret";

    private TestingServer zk;
    private ProxyServer proxy;
    private ZooKeeper tenant;

    @BeforeEach
    void start() throws Exception {
        zk = Upstreams.server();
        proxy = ProxyServer.start(ProxyConfig.forUpstream(zk.getConnectString())
                .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:0"))
                .withOperator(new OperatorConfig("zktp-ops", "s3cret")));
        tenant = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), (Watcher) null);
        tenant.addAuthInfo("digest", "alice:pw".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() throws Exception {
        tenant.close();
        proxy.close();
        zk.close();
    }

    private ZooKeeper direct(String digestAuth) throws Exception {
        ZooKeeper zooKeeper = ProxyHarness.connect(zk.getConnectString(), (Watcher) null);
        if (digestAuth != null) {
            zooKeeper.addAuthInfo("digest", digestAuth.getBytes(StandardCharsets.UTF_8));
        }
        return zooKeeper;
    }

    private static ACL operatorAcl() throws Exception {
        return new ACL(ZooDefs.Perms.ALL, new Id("digest", DigestAuthenticationProvider.generateDigest(OPERATOR)));
    }

    @Test
    void aCreatorOnlyNodeStaysReadableAndDeletableByTheOperator() throws Exception {
        tenant.create("/locked", "secret".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.CREATOR_ALL_ACL,
                CreateMode.PERSISTENT);
        tenant.create("/locked/child", new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);

        List<ACL> acl = tenant.getACL("/locked", null);
        assertEquals(1, acl.size(), "the tenant sees its own entry, not the operator's: " + acl);
        assertTrue(acl.get(0).getId().getId().startsWith("alice:"), acl.toString());

        ZooKeeper stranger = direct(null);
        ZooKeeper operator = direct(OPERATOR);
        try {
            List<ACL> stored = operator.getACL("/tenants/acme/locked", null);
            assertTrue(stored.contains(operatorAcl()), "operator entry appended upstream: " + stored);
            assertEquals(2, stored.size(), stored.toString());
            assertThrows(KeeperException.NoAuthException.class,
                    () -> stranger.getData("/tenants/acme/locked", false, null));
            assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8),
                    operator.getData("/tenants/acme/locked", false, null));
            operator.delete("/tenants/acme/locked/child", -1);
            operator.delete("/tenants/acme/locked", -1);
            assertNull(operator.exists("/tenants/acme/locked", false));
        } finally {
            stranger.close();
            operator.close();
        }
    }

    @Test
    void setAclAndMultiCreatesKeepTheOperator() throws Exception {
        tenant.create("/open", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        // a mutable list: ZooKeeper.validateACL asks it contains(null)
        List<ACL> aliceOnly = new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL,
                new Id("digest", DigestAuthenticationProvider.generateDigest("alice:pw")))));
        tenant.setACL("/open", aliceOnly, -1);
        assertEquals(aliceOnly, tenant.getACL("/open", null), "what the tenant set, without the operator");

        tenant.multi(List.of(Op.create("/m", new byte[0], aliceOnly, CreateMode.PERSISTENT),
                Op.create("/m/n", new byte[0], aliceOnly, CreateMode.EPHEMERAL)));
        ZooKeeper operator = direct(OPERATOR);
        try {
            for (String path : List.of("/open", "/m", "/m/n")) {
                assertTrue(operator.getACL("/tenants/acme" + path, null).contains(operatorAcl()), path);
            }
        } finally {
            operator.close();
        }
    }

    @Test
    void theRootAclIsThePlatforms() throws Exception {
        KeeperException e = assertThrows(KeeperException.class,
                () -> tenant.setACL("/", ZooDefs.Ids.CREATOR_ALL_ACL, -1));
        assertEquals(KeeperException.Code.NOAUTH, e.code());
        ZooKeeper operator = direct(null);
        try {
            assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, operator.getACL("/tenants/acme", null));
        } finally {
            operator.close();
        }
    }
}
