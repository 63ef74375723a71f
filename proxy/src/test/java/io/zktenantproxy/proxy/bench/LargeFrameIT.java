package io.zktenantproxy.proxy.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * Frames of about a megabyte through the proxy, both ways and pipelined: the path the load benchmark's setData 1 MiB
 * takes, where the proxy composes a frame from its socket reads instead of copying it (seconds long).
 */
class LargeFrameIT {
    private static final int SIZE = 1_000_000; // under ZooKeeper's default jute.maxbuffer, with room for the header

    @Test
    void largeWritesAndReadsArriveIntact() throws Exception {
        try (TestingServer zkServer = Upstreams.server();
             ProxyServer proxy = ProxyHarness.proxy(zkServer.getConnectString(), "big")) {
            ZooKeeper tenant = LoadBench.connect(ProxyHarness.connectString(proxy, "big"));
            ZooKeeper direct = LoadBench.connect(zkServer.getConnectString());
            try {
                Random random = new Random(7);
                List<byte[]> payloads = new ArrayList<>();
                List<CompletableFuture<Integer>> writes = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    byte[] data = new byte[SIZE];
                    random.nextBytes(data);
                    payloads.add(data);
                    CompletableFuture<Integer> done = new CompletableFuture<>();
                    tenant.create("/n" + i, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                            (rc, path, ctx, name) -> done.complete(rc), null);
                    writes.add(done);
                }
                for (CompletableFuture<Integer> w : writes) {
                    assertEquals(0, w.get(30, TimeUnit.SECONDS));
                }
                for (int i = 0; i < payloads.size(); i++) {
                    assertArrayEquals(payloads.get(i), tenant.getData("/n" + i, false, null));
                    assertArrayEquals(payloads.get(i), direct.getData("/tenants/big/n" + i, false, null));
                }
                byte[] small = {1, 2, 3};
                tenant.setData("/n0", small, -1);
                assertArrayEquals(small, tenant.getData("/n0", false, null));
            } finally {
                tenant.close();
                direct.close();
            }
        }
    }
}
