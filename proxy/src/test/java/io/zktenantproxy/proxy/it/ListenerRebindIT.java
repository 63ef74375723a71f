package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * A closed proxy gives its ports back at once, on every transport: a new proxy started right after binds the same
 * port (a restart in place, a reload that moves a listener back), while clients that were connected reconnect to it.
 * On io_uring a listening socket can outlive its channel's close while an accept is still submitted to the kernel.
 */
class ListenerRebindIT {
    /** A client's reconnect and session resumption on a loaded 2-core machine. */
    private static final Duration RESUME_BOUND = Duration.ofSeconds(60);

    @Test
    void aNewProxyBindsTheClosedOnesPortAtOnceWithClientsComingBack() throws Exception {
        try (TestingServer zk = Upstreams.server()) {
            int port = ProxyHarness.freePort();
            ProxyServer proxy = ProxyHarness.proxyOnPort(zk.getConnectString(), "rebind", port, List.of());
            try (ZooKeeper client = ProxyHarness.connect("127.0.0.1:" + port, (org.apache.zookeeper.Watcher) null)) {
                client.create("/n", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                for (int i = 0; i < 5; i++) {
                    proxy.close();
                    proxy = ProxyHarness.proxyOnPort(zk.getConnectString(), "rebind", port, List.of());
                    byte[] data = ("round " + i).getBytes(StandardCharsets.UTF_8);
                    // the client's session resumes through the new proxy; a write it sent before it saw the old
                    // connection close fails with CONNECTIONLOSS and is sent again (setData of any version: idempotent)
                    await().atMost(RESUME_BOUND)
                            .ignoreExceptionsInstanceOf(KeeperException.ConnectionLossException.class)
                            .until(() -> client.setData("/n", data, -1) != null);
                    assertArrayEquals(data, client.getData("/n", false, null));
                }
            } finally {
                proxy.close();
            }
        }
    }
}
