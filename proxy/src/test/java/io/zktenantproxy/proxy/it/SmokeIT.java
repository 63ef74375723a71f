package io.zktenantproxy.proxy.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/** The shortest path through the proxy: create, read, list, delete, as the tenant and as seen upstream. */
class SmokeIT {
    @Test
    void basicOperationsLandUnderTheChroot() throws Exception {
        try (TestingServer zkServer = Upstreams.server();
             ProxyServer proxy = ProxyHarness.proxy(zkServer.getConnectString(), "acme")) {
            ZooKeeper tenant = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), (Watcher) null);
            ZooKeeper direct = ProxyHarness.upstream(zkServer.getConnectString());
            try {
                assertEquals("/a", tenant.create("/a", "x".getBytes(StandardCharsets.UTF_8),
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), tenant.getData("/a", false, null));
                String seq = tenant.create("/a/s-", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.EPHEMERAL_SEQUENTIAL);
                assertEquals("/a/s-0000000000", seq);
                assertEquals(List.of("s-0000000000"), tenant.getChildren("/a", false));
                assertNotNull(direct.exists("/tenants/acme/a/s-0000000000", false));
                assertNull(direct.exists("/a", false));
                tenant.delete(seq, -1);
                tenant.delete("/a", -1);
                assertNull(direct.exists("/tenants/acme/a", false));
            } finally {
                tenant.close();
                direct.close();
            }
        }
    }
}
