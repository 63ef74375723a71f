package io.zktenantproxy.proxy.reload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.config.AdminConfig;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.ReloadStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * The reload path fuzzed: a seeded random sequence of valid and invalid configurations (tenants added and removed,
 * budgets, quotas and chroots changed; and, mixed in, two tenants on one port, a port another process holds,
 * overlapping chroots, a negative budget, a change that needs a restart) applied to one running proxy. After every
 * reload the running listeners are exactly the last valid configuration's, each on its port and accepting, and a
 * refused reload changed nothing. The seed is fixed so that every build runs the same sequence (a reload bug shows
 * in the change that made it); {@code -Dreload.fuzz.seed=N} runs another, {@code -Dreload.fuzz.seed=random} a new
 * one, printed for replay.
 */
class ReloadFuzzIT {
    /** Steps per run; {@code -Dreload.fuzz.steps=N} for a longer one. */
    private static final int STEPS = Integer.getInteger("reload.fuzz.steps", 60);
    private static final int NAMES = 6;

    @Test
    void theRunningListenersAreAlwaysTheLastValidConfigurations() throws Exception {
        String asked = System.getProperty("reload.fuzz.seed", "20261202");
        long seed = asked.equals("random") ? System.nanoTime() : Long.parseLong(asked);
        System.out.println("ReloadFuzzIT seed " + seed + " (replay with -Dreload.fuzz.seed=" + seed + ")");
        Random random = new Random(seed);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (int i = 0; i < NAMES; i++) {
            ports.put("t" + i, ProxyHarness.freePort());
        }
        try (TestingServer server = Upstreams.server();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ProxyConfig base = ProxyHarness.secretWhenOn(ProxyConfig.forUpstream(server.getConnectString())
                    .withLimits(Limits.defaults().with(Limits.Limit.DRAIN_MS, 0)));
            ProxyConfig valid = base.withTenants(tenant("t0", ports, random));
            try (ProxyServer proxy = ProxyServer.start(valid)) {
                await().atMost(Duration.ofSeconds(60)).until(proxy::ready);
                for (int step = 0; step < STEPS; step++) {
                    List<TenantConfig> tenants = new ArrayList<>();
                    for (String name : ports.keySet()) {
                        if (random.nextInt(3) > 0) {
                            tenants.add(tenant(name, ports, random));
                        }
                    }
                    if (tenants.isEmpty()) {
                        tenants.add(tenant("t0", ports, random));
                    }
                    ProxyConfig next = base.withTenants(tenants);
                    int breakage = random.nextInt(10);
                    ProxyConfig tried = broken(next, breakage, taken.getLocalPort());
                    ReloadStatus status = proxy.reload(tried);
                    String where = "seed " + seed + " step " + step + " breakage " + breakage + ": " + status;
                    if (tried == next) {
                        assertTrue(!status.refused(), where);
                        valid = next;
                    } else {
                        assertTrue(status.refused(), where);
                    }
                    assertListenersAre(proxy, valid, where);
                }
            }
        }
    }

    private static TenantConfig tenant(String name, Map<String, Integer> ports, Random random) {
        TenantConfig t = TenantConfig.named(name).withListen("127.0.0.1:" + ports.get(name))
                .withRequestsPerSecond(1_000 * (1 + random.nextInt(5)))
                .withQuotas((long) (100 + random.nextInt(3) * 100), null, null);
        return random.nextInt(4) == 0 ? t.withChroot("/tenants/" + name + "-v" + random.nextInt(2)) : t;
    }

    /** @return {@code next} broken one way (or {@code next} itself for breakage 5 and above) */
    private static ProxyConfig broken(ProxyConfig next, int breakage, int takenPort) {
        List<TenantConfig> tenants = new ArrayList<>(next.tenants());
        TenantConfig first = tenants.get(0);
        switch (breakage) {
            case 0 -> tenants.add(TenantConfig.named("dup").withListen(first.listen()));
            case 1 -> tenants.add(TenantConfig.named("late").withListen("127.0.0.1:" + takenPort));
            case 2 -> tenants.add(TenantConfig.named("inner").withChroot(first.chroot() + "/inner")
                    .withListen("127.0.0.1:" + ProxyHarness.freePort()));
            case 3 -> tenants.set(0, first.withRequestsPerSecond(-1));
            case 4 -> {
                return next.withAdmin(AdminConfig.listeningOn("127.0.0.1:" + ProxyHarness.freePort()));
            }
            default -> {
                return next;
            }
        }
        return next.withTenants(tenants);
    }

    private static void assertListenersAre(ProxyServer proxy, ProxyConfig valid, String where) {
        List<String> expected = valid.tenants().stream().map(TenantConfig::name).sorted().toList();
        List<String> running = proxy.tenants().stream().map(t -> t.name()).sorted().toList();
        assertEquals(expected, running, where);
        for (TenantConfig tc : valid.tenants()) {
            InetSocketAddress address = proxy.address(tc.name());
            assertEquals(tc.listen(), "127.0.0.1:" + address.getPort(), where);
            assertTrue(Upstreams.accepts(address.getPort()), tc.name() + " does not accept; " + where);
            assertEquals(tc.chroot(), proxy.tenants().stream().filter(t -> t.name().equals(tc.name())).findFirst()
                    .orElseThrow().chroot().root(), where);
        }
    }

}
