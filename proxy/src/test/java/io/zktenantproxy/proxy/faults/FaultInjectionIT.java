package io.zktenantproxy.proxy.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Nothing acknowledged is lost: two tenants' clients run ledgered workloads ({@link SequentialCreates},
 * {@link CasRegisters}, {@link SharedCounter}, {@link MutexSections}, {@link Ephemerals}, {@link Watches}, and an
 * {@link IsolationSampler} across tenants) through three proxy replicas in front of a three-server ensemble, while a
 * seeded {@link Nemesis} kills, freezes, cuts, delays and floods ({@link Fault}). Then every fault is healed, the
 * workloads stop, and a check reads the final state against each ledger and prints one table (also written to
 * {@code target/faults/seed-<seed>/report.txt}): lost, duplicated, order, mutual exclusion and isolation
 * violations must all be 0, every fault kind must have been injected, and every workload must have had operations
 * acknowledged (a run where nothing was acknowledged proves nothing).
 *
 * <p>System properties: {@code faults.seconds} (default 90: one round of every fault kind), {@code faults.seed} (a
 * number, or {@code random} for a new one, printed; default {@value #DEFAULT_SEED}). The Maven profile
 * {@code faults-long} runs it for minutes on a random seed (docs/RELIABILITY.md).
 */
class FaultInjectionIT {
    static final long DEFAULT_SEED = 20261202L;
    private static final List<String> TENANTS = List.of("alpha", "beta");
    /** The flooding tenant's requests per second on each replica; the other tenant keeps the default budget. */
    private static final int FLOODED_BUDGET = 300;
    private static final String LIMITS = String.join("\n",
            "  quotaZnodes: 1000000",
            "  quotaBytes: 1073741824",
            "  maxConnectionsPerTenant: 1000");
    private static final Duration SETTLE = Duration.ofSeconds(120);

    @Test
    void nothingAcknowledgedIsLostWhateverFails() throws Exception {
        long seed = seed();
        Duration length = Duration.ofSeconds(Long.getLong("faults.seconds", 90));
        Path dir = Path.of("target", "faults", "seed-" + seed).toAbsolutePath();
        // A fresh ensemble: the data of an earlier run is locked to that run's secret and operator.
        deleteTree(dir);
        System.err.println("faults: seed " + seed + " (-Dfaults.seed=" + seed + "), " + length.toSeconds()
                + " s of faults, under " + dir);
        Map<String, Integer> budgets = new LinkedHashMap<>();
        budgets.put("alpha", 0);
        budgets.put("beta", FLOODED_BUDGET);
        List<Workload> workloads = new ArrayList<>();
        ch.qos.logback.classic.Logger clientLog = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(org.apache.zookeeper.ClientCnxn.class);
        ch.qos.logback.classic.Level level = clientLog.getLevel();
        // Every fault makes each client log a connection loss with its stack trace: expected here, noise in CI.
        clientLog.setLevel(ch.qos.logback.classic.Level.ERROR);
        try (Topology topology = Topology.start(dir, budgets, LIMITS)) {
            Map<String, String> connect = new LinkedHashMap<>();
            for (String tenant : TENANTS) {
                String c = topology.connectString(tenant);
                connect.put(tenant, c);
                workloads.add(new SequentialCreates(tenant, c));
                workloads.add(new CasRegisters(tenant, c, seed));
                workloads.add(new SharedCounter(tenant, c));
                workloads.add(new MutexSections(tenant, c));
                workloads.add(new Ephemerals(tenant, c));
                workloads.add(new Watches(tenant, c));
            }
            workloads.add(new IsolationSampler(connect, topology.quorum().connectString(),
                    topology.operatorDigest(), seed));
            for (Workload w : workloads) {
                w.setUp();
            }
            for (Workload w : workloads) {
                w.start();
            }
            Nemesis nemesis = new Nemesis(topology, seed, new BudgetFlood(connect.get("beta")));
            long started = System.nanoTime();
            nemesis.run(length);
            double seconds = (System.nanoTime() - started) / 1e9;
            topology.healAll();
            topology.quorum().awaitServing(SETTLE);
            for (ProxyReplica r : topology.replicas()) {
                await(r.jvm().name() + " serving").atMost(SETTLE).until(r::serves);
            }
            for (Workload w : workloads) {
                w.stop();
            }
            List<Verdict> verdicts = check(workloads, connect);
            String report = ReportTable.render(seed, seconds, nemesis.injected(), nemesis.history(), verdicts);
            System.out.println(report);
            Files.writeString(dir.resolve("report.txt"), report);
            List<Executable> checks = new ArrayList<>();
            for (Fault f : Fault.values()) {
                checks.add(() -> assertTrue(nemesis.injected().getOrDefault(f, 0) > 0, f + " never injected"));
            }
            for (Verdict v : verdicts) {
                checks.add(() -> assertEquals(0, v.violations(), v + "\n" + report));
                if (!v.tenant().equals("-")) {
                    checks.add(() -> assertTrue(v.acked() > 0, v.workload() + " of " + v.tenant()
                            + " had nothing acknowledged\n" + report));
                }
            }
            assertAll(checks);
        } finally {
            for (Workload w : workloads) {
                w.close();
            }
            clientLog.setLevel(level);
        }
    }

    private static List<Verdict> check(List<Workload> workloads, Map<String, String> connect) throws Exception {
        Map<String, TenantSession> readers = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> tenant : connect.entrySet()) {
                readers.put(tenant.getKey(), TenantSession.open(tenant.getValue()));
            }
            List<Verdict> verdicts = new ArrayList<>();
            for (Workload w : workloads) {
                TenantSession reader = readers.get(w.tenant);
                verdicts.add(w.check(reader == null ? null : reader.zk()));
            }
            return verdicts;
        } finally {
            for (TenantSession r : readers.values()) {
                r.close();
            }
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static long seed() {
        String property = System.getProperty("faults.seed", "");
        if (property.isBlank()) {
            return DEFAULT_SEED;
        }
        return property.equals("random") ? new java.security.SecureRandom().nextLong() & Long.MAX_VALUE
                : Long.parseLong(property);
    }
}
