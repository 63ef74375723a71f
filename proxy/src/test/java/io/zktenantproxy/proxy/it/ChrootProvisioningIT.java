package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZKUtil;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * The proxy keeps each tenant's chroot in place: created, with its parents and empty data, before the first session,
 * and created again when someone deletes it while the proxy runs, so the tenant's live session goes on working.
 */
class ChrootProvisioningIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aDeletedChrootIsCreatedAgainAndTheLiveSessionGoesOn() throws Exception {
        try (TestingServer server = Upstreams.server();
             ProxyServer proxy = ProxyHarness.proxy(server.getConnectString(), "acme");
             TestClient root = ProxyHarness.connect(server.getConnectString(), new Events());
             TestClient tenant = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), new Events())) {
            assertArrayEquals(new byte[0], root.getData("/tenants/acme", false, null), "no data in a chroot");
            tenant.create("/job", "v1".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            long session = tenant.getSessionId();

            // an operator removes the tenant's whole tree by mistake (not /tenants itself: the proxy may create the
            // chroot again between the deletes of a recursive delete, which then fails NOTEMPTY on the parent)
            ZKUtil.deleteRecursive(root, "/tenants/acme");

            await().atMost(WAIT).until(() -> root.exists("/tenants/acme", false) != null);
            assertArrayEquals(new byte[0], root.getData("/tenants/acme", false, null));
            assertEquals(List.of(), tenant.getChildren("/", false), "the tree starts empty again");
            tenant.create("/job", "v2".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            assertEquals(session, tenant.getSessionId(), "the same session");
            assertEquals(ZooKeeper.States.CONNECTED, tenant.getState());
            assertNotNull(root.exists("/tenants/acme/job", false));
        }
    }
}
