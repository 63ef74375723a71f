package io.zktenantproxy.proxy.adversarial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.protocol.testkit.ServerReply;
import io.zktenantproxy.proxy.config.Limits.Limit;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.metrics.MeterNames;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

/**
 * The per-tenant budget (requests and bytes per second per proxy instance, connections per second per listener)
 * against a tenant that sends or reconnects faster than it: its frames and connections are paced, never refused or
 * reordered, nothing is lost, and the other tenant, on buckets of its own, is never held back. Each test uses a proxy of its own with a small budget, on the suite's ensemble.
 */
class AdversarialBudgetIT extends AdversarialBase {
    private static final int REQUESTS_PER_SECOND = 200;

    @Test
    void aFloodIsPacedToTheBudgetInXidOrderWithNothingLost() throws Exception {
        try (ProxyServer limited = startProxy(Limits.defaults().with(Limit.REQUESTS_PER_SECOND, REQUESTS_PER_SECOND)
                .with(Limit.BYTES_PER_SECOND, 0));
             ZooKeeper bystander = connect(ProxyHarness.connectString(limited, VICTIM), null)) {
            RawClient flooder = raw(limited, ATTACKER);
            flooder.handshake();
            // five seconds' worth of budget in one write, without reading: reads forwarded upstream, refusals the
            // proxy answers itself, in turn
            int requests = 5 * REQUESTS_PER_SECOND;
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int xid = 1; xid <= requests; xid++) {
                all.writeBytes(xid % 2 == 0
                        ? reconfig(xid)
                        : RawFrame.pathRequest(xid, OpCode.GET_DATA, bytes("/own")));
            }
            long start = System.nanoTime();
            flooder.send(all.toByteArray());

            // meanwhile the other tenant, on its own bucket, is served and never paced
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(bytes(MARK + "-secret"), bystander.getData("/secret", false, null));
            }

            for (int xid = 1; xid <= requests; xid++) {
                ServerReply reply = flooder.replyTo(xid);
                if (xid % 2 == 0) {
                    assertEquals(KeeperCode.RECONFIG_DISABLED, reply.err(), "xid " + xid);
                } else {
                    assertEquals(0, reply.err(), "xid " + xid);
                    assertTrue(new String(reply.body(), StandardCharsets.UTF_8)
                            .contains("attacker-own"), "xid " + xid);
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // one second's worth goes at once (the burst), the other four are paced
            assertTrue(took.toMillis() >= 3_500, "answered in " + took + ": the budget did not hold");
            assertTrue(paced(limited, ATTACKER).count() >= requests - 2 * REQUESTS_PER_SECOND,
                    "paced: " + paced(limited, ATTACKER).count());
            assertEquals(0, paced(limited, VICTIM).count(), "the other tenant was held back");
            assertTrue(flooder.isOpenAfterPing(), "pacing does not close the connection");
        }
    }

    @Test
    void aJavaClientOverItsByteBudgetIsSlowedNotBroken() throws Exception {
        int bytesPerSecond = 256 * 1024;
        try (ProxyServer limited = startProxy(Limits.defaults().with(Limit.REQUESTS_PER_SECOND, 0)
                .with(Limit.BYTES_PER_SECOND, bytesPerSecond));
             ZooKeeper client = connect(ProxyHarness.connectString(limited, ATTACKER), null)) {
            byte[] payload = new byte[100 * 1024];
            client.create("/big", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            // 1 MiB of writes: three seconds of budget after the burst
            List<CompletableFuture<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                payload[0] = (byte) i;
                CompletableFuture<Integer> done = new CompletableFuture<>();
                client.setData("/big", payload, -1, (rc, path, ctx, stat) -> done.complete(rc), null);
                writes.add(done);
            }
            for (CompletableFuture<Integer> w : writes) {
                assertEquals(KeeperException.Code.OK.intValue(), w.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            }
            assertEquals(9, client.getData("/big", false, null)[0], "the last write won: they went in order");
            assertEquals(ZooKeeper.States.CONNECTED, client.getState());
            assertTrue(paced(limited, ATTACKER).count() > 0, "nothing was paced");
            assertTrue(paced(limited, ATTACKER).totalTime(TimeUnit.MILLISECONDS) > 0);
            client.delete("/big", -1);
        }
    }

    @Test
    void reconnectingInALoopIsPacedAtTheListener() throws Exception {
        int connectionsPerSecond = 5;
        try (ProxyServer limited = startProxy(
                Limits.defaults().with(Limit.CONNECTIONS_PER_SECOND, connectionsPerSecond))) {
            // twenty connections at once: a burst of five is accepted, the rest wait in the accept queue, and none
            // is lost (each gets its session once accepted)
            long start = System.nanoTime();
            List<RawClient> opened = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                RawClient c = raw(limited, ATTACKER);
                c.send(JuteFrames.connectRequest());
                opened.add(c);
            }
            for (RawClient c : opened) {
                assertTrue(c.readConnectResponse().getTimeOut() > 0, c.name());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.toMillis() >= 2_000, "20 connections accepted in " + took + ": the budget did not hold");
            Timer pauses = limited.metrics().registry().get(MeterNames.LISTENER_PAUSED)
                    .tag(MeterNames.TENANT, ATTACKER).timer();
            assertTrue(pauses.count() > 0, "the listener never paused");
            // the other tenant's listener has its own budget
            try (ZooKeeper bystander = connect(ProxyHarness.connectString(limited, VICTIM), null)) {
                assertArrayEquals(bytes(MARK + "-secret"), bystander.getData("/secret", false, null));
            }
            assertEquals(0, limited.metrics().registry().get(MeterNames.LISTENER_PAUSED)
                    .tag(MeterNames.TENANT, VICTIM).timer().count());
        }
    }

    private static Timer paced(ProxyServer server, String tenant) {
        return server.metrics().registry().get(MeterNames.REQUESTS_PACED).tag(MeterNames.TENANT, tenant).timer();
    }
}
