package io.zktenantproxy.proxy.adversarial;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.proxy.config.Limits.Limit;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The per-connection and per-tenant limits against clients that hold resources without doing anything: silence
 * before the handshake, silence after it, too many connections. Each uses a proxy of its own with short limits, on
 * the suite's ensemble.
 */
class AdversarialLimitsIT extends AdversarialBase {

    @Test
    void aConnectionWithoutHandshakeIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (ProxyServer limited = startProxy(Limits.defaults().with(Limit.HANDSHAKE_TIMEOUT_MS, 1000)
                .with(Limit.IDLE_TIMEOUT_MS, 60_000))) {
            RawClient honest = raw(limited, ATTACKER);
            assertTrue(honest.handshake().getTimeOut() > 0);
            double before = closedCount(limited, ATTACKER, "handshake_timeout");
            long start = System.nanoTime();
            RawClient silent = raw(limited, ATTACKER);
            RawClient partial = raw(limited, ATTACKER);
            partial.send(Arrays.copyOf(JuteFrames.connectRequest(), 10));
            assertTrue(silent.awaitClosed(WAIT), "a silent connection stayed open");
            assertTrue(partial.awaitClosed(WAIT), "a half handshake stayed open");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(900).toNanos(), "closed before the timeout");
            await().atMost(WAIT).until(() -> closedCount(limited, ATTACKER, "handshake_timeout") == before + 2);
            assertTrue(honest.isOpenAfterPing(), "a connection past its handshake is not timed out");
        }
    }

    @Test
    void connectionsBeyondTheHandshakesInProgressWaitUnreadNewestFirstAndAreShedWhenTheirWaitIsUp()
            throws Exception {
        // one slot; a waiter is shed after 2 s; a slot is given back after 4 s whatever its handshake does
        try (ProxyServer limited = startProxy(Limits.defaults().with(Limit.MAX_HANDSHAKES_IN_PROGRESS, 1)
                .with(Limit.HANDSHAKE_WAIT_MS, 2000).with(Limit.HANDSHAKE_TIMEOUT_MS, 60_000))) {
            RawClient established = raw(limited, ATTACKER);
            assertTrue(established.handshake().getTimeOut() > 0);
            assertEquals(0.0, listenerMeter(limited, "in_progress"), "an established session holds no slot");

            RawClient silent = raw(limited, ATTACKER);
            await().atMost(WAIT).until(() -> listenerMeter(limited, "in_progress") == 1.0);
            RawClient shed = raw(limited, ATTACKER);
            shed.send(JuteFrames.connectRequest());
            long start = System.nanoTime();
            assertTrue(shed.awaitClosed(WAIT), "a connection beyond the limit waited forever");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(1900).toNanos(), "shed before its wait");
            assertTrue(shed.received().isEmpty(), "a shed connection got an answer");
            await().atMost(WAIT).until(() -> listenerMeter(limited, "shed_total") == 1.0);

            RawClient older = raw(limited, ATTACKER);
            RawClient newer = raw(limited, ATTACKER);
            await().atMost(WAIT).until(() -> listenerMeter(limited, "waiting") == 2.0);
            RawClient neighbour = raw(limited, VICTIM);
            assertTrue(neighbour.handshake().getTimeOut() > 0, "another tenant's listener has slots of its own");

            silent.close();
            await().atMost(WAIT).until(() -> listenerMeter(limited, "waiting") == 1.0);
            // the freed slot went to the newer waiter, which holds it unanswered (it has sent nothing yet), so the
            // older one waits out its wait and is shed
            older.send(JuteFrames.connectRequest());
            assertTrue(older.awaitClosed(WAIT), "the older waiter was never shed");
            assertTrue(older.received().isEmpty(), "the older waiter was served before the newer one");
            assertEquals(2.0, listenerMeter(limited, "shed_total"));
            assertTrue(newer.handshake().getTimeOut() > 0, "the newer waiter was not given the slot");
            assertEquals(0.0, listenerMeter(limited, "in_progress"));
            assertTrue(established.isOpenAfterPing());
        }
    }

    @Test
    void aStalledHandshakeGivesItsSlotBackAfterTwiceTheWait() throws Exception {
        try (ProxyServer limited = startProxy(Limits.defaults().with(Limit.MAX_HANDSHAKES_IN_PROGRESS, 1)
                .with(Limit.HANDSHAKE_WAIT_MS, 1000).with(Limit.HANDSHAKE_TIMEOUT_MS, 60_000))) {
            RawClient stalled = raw(limited, ATTACKER);
            stalled.send(Arrays.copyOf(JuteFrames.connectRequest(), 10));
            await().atMost(WAIT).until(() -> listenerMeter(limited, "in_progress") == 1.0);
            long start = System.nanoTime();
            // clients keep coming (each shed after 1 s) until one is served: only once the stalled slot is back
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                RawClient next = raw(limited, ATTACKER);
                return next.handshake().getTimeOut() > 0;
            });
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(1500).toNanos(),
                    "served before the slot was back");
            assertTrue(listenerMeter(limited, "shed_total") >= 1.0, "nobody waited for the stalled slot");
            assertFalse(stalled.awaitClosed(Duration.ofMillis(200)), "the stalled connection itself is not closed");
        }
    }

    /** {@code zktp_listener_handshakes_<suffix>{listener="attacker"}} of {@code server}, 0 when not registered. */
    private static double listenerMeter(ProxyServer server, String suffix) {
        String name = "zktp_listener_handshakes_" + suffix + "{";
        for (String line : server.metrics().scrape().split("\n")) {
            if (line.startsWith(name) && line.contains("listener=\"" + ATTACKER + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (ProxyServer limited = startProxy(Limits.defaults().with(Limit.HANDSHAKE_TIMEOUT_MS, 60_000)
                .with(Limit.IDLE_TIMEOUT_MS, 1500))) {
            double before = closedCount(limited, ATTACKER, "idle_timeout");
            long start = System.nanoTime();
            RawClient silent = raw(limited, ATTACKER);
            assertClosed(silent, limited, ATTACKER, "idle_timeout", before);
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(1400).toNanos(), "closed before the timeout");
        }
    }

    @Test
    void aTenantCannotOpenMoreConnectionsThanItsLimit() throws Exception {
        try (ProxyServer limited = startProxy(Limits.defaults().with(Limit.MAX_CONNECTIONS_PER_TENANT, 3))) {
            RawClient[] held = new RawClient[3];
            for (int i = 0; i < held.length; i++) {
                held[i] = raw(limited, ATTACKER);
                assertTrue(held[i].handshake().getTimeOut() > 0);
            }
            double before = closedCount(limited, ATTACKER, "too_many_connections");
            RawClient extra = raw(limited, ATTACKER);
            extra.send(JuteFrames.connectRequest());
            assertClosed(extra, limited, ATTACKER, "too_many_connections", before);
            assertTrue(extra.received().isEmpty(), "the extra connection got a session");

            // the neighbour's own count is its own
            RawClient neighbourRaw = raw(limited, VICTIM);
            assertTrue(neighbourRaw.handshake().getTimeOut() > 0);

            // and a slot freed is a slot to use again
            held[0].closeSession();
            held[0].close();
            await().atMost(WAIT).ignoreExceptions().until(() -> {
                RawClient next = raw(limited, ATTACKER);
                return next.handshake().getTimeOut() > 0;
            });
            for (int i = 1; i < held.length; i++) {
                assertTrue(held[i].isOpenAfterPing());
            }
        }
    }
}
