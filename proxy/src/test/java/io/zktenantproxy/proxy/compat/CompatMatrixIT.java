package io.zktenantproxy.proxy.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zktenantproxy.proxy.compat.CompatMatrix.Cell;
import io.zktenantproxy.proxy.compat.driver.Steps;
import io.zktenantproxy.proxy.it.OldEnsemble;
import io.zktenantproxy.proxy.it.OldEnsembles;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15's matrix: each Java client ({@link ClientUnderTest}, in a class loader of its own) runs its scenario
 * ({@code ZooKeeperScenario} or {@code CuratorScenario}) through the proxy against each ZooKeeper server release
 * ({@link OldEnsemble}, a JVM of its own per release, shared by the cells). {@link CompatMatrix#cells} says which cells
 * run: a subset under {@code mvn verify}, all of them with {@code -Pcompat-matrix}.
 *
 * <p>Per cell, besides the scenario's own checks: the steps reported are exactly the expected ones; the proxy answers
 * {@code ruok} and {@code srvr} itself; upstream, the cell's znodes are under the tenant's chroot and nowhere else.
 * Each cell's outcome and time is appended to {@code target/compat-matrix.tsv} for docs/COMPATIBILITY.md.
 */
class CompatMatrixIT {
    @TempDir
    static Path work;

    private static final OldEnsembles ENSEMBLES = new OldEnsembles();
    private static final AtomicInteger TENANTS = new AtomicInteger();
    private static final Path REPORT = Path.of("target", "compat-matrix.tsv");

    static List<Cell> cells() {
        return CompatMatrix.cells();
    }

    @AfterAll
    static void stopEnsembles() {
        ENSEMBLES.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void scenarioThroughTheProxy(Cell cell) throws Exception {
        long start = System.nanoTime();
        OldEnsemble ensemble = ENSEMBLES.get(cell.ensemble(), work);
        String tenant = "compat" + TENANTS.incrementAndGet();
        List<String> transcript = new CopyOnWriteArrayList<>();
        String outcome = "failed";
        try (ProxyUnderTest proxy = new ProxyUnderTest(ensemble.connectString(), tenant)) {
            run(cell, proxy, transcript);
            assertEquals(expectedSteps(cell), steps(transcript), "steps of " + cell + ": " + transcript);
            assertEquals("imok", Upstreams.fourLetterWord("127.0.0.1", proxy.port(), "ruok"));
            String srvr = Upstreams.fourLetterWord("127.0.0.1", proxy.port(), "srvr");
            assertTrue(srvr.startsWith("Zookeeper version:"), srvr);
            onlyUnderTheChroot(ensemble, tenant, cell.client().bare() ? "/compat" : "/flink");
            outcome = "passed";
        } finally {
            report(cell, outcome, (System.nanoTime() - start) / 1_000_000, transcript);
        }
    }

    private static void run(Cell cell, ProxyUnderTest proxy, List<String> transcript) throws Exception {
        Map<String, Object> params = new HashMap<>();
        params.put(Steps.CONNECT, proxy.connectString());
        params.put(Steps.LOG, (Consumer<String>) transcript::add);
        params.put(Steps.CUT, (Runnable) proxy::restart);
        params.put(Steps.NEWER_OPS, cell.newerOps());
        params.put(Steps.CLIENT_VERSION, cell.client().zookeeper());
        params.put(Steps.CACHE, cell.cache());
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        try (ClientLoader loader = cell.client().loader()) {
            // Curator and ZooKeeper look some classes up through the context class loader: make it the client's
            thread.setContextClassLoader(loader);
            loader.driver(cell.client().driver()).accept(params);
        } catch (AssertionError e) {
            fail(cell + " failed after " + transcript + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(context);
        }
    }

    /** @return the step names a cell must report, in order */
    static List<String> expectedSteps(Cell cell) {
        if (!cell.client().bare()) {
            return List.of("connect", "leader-latch", "cache", "shared-count", "cut-resume", "failover");
        }
        List<String> steps = new ArrayList<>(List.of("connect", "proxy-config", "create", "watches", "multi",
                "version-conflict"));
        if (cell.newerOps().equals("served")) {
            steps.addAll(List.of("addWatch", "multiRead", "getEphemerals", "cut-resume", "persistent-watch-resumed"));
        } else {
            steps.addAll(List.of("3.6-requests", "cut-resume"));
        }
        steps.add("expiry");
        return steps;
    }

    private static List<String> steps(List<String> transcript) {
        return transcript.stream().map(line -> line.split(" ", 3)[1]).toList();
    }

    /** Upstream: {@code /tenants/<tenant><root>} exists, and {@code <root>} at the ensemble's root does not. */
    private static void onlyUnderTheChroot(OldEnsemble ensemble, String tenant, String root) throws Exception {
        ZooKeeper zk = ProxyHarness.upstream(ensemble.connectString());
        try {
            assertNotNull(zk.exists("/tenants/" + tenant + root, false), "the tenant's " + root + " upstream");
            assertNull(zk.exists(root, false), root + " outside every chroot");
        } finally {
            zk.close();
        }
    }

    private static synchronized void report(Cell cell, String outcome, long millis, List<String> transcript)
            throws IOException {
        Files.createDirectories(REPORT.getParent());
        String line = String.join("\t", cell.client().name(), cell.ensemble(), outcome, Long.toString(millis),
                String.join(" | ", transcript)) + "\n";
        Files.writeString(REPORT, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
