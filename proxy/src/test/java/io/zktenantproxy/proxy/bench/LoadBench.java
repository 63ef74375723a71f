package io.zktenantproxy.proxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Issue 7's load benchmark: the same workload against ZooKeeper directly and through the proxy, alternating, several
 * rounds; prints the medians and the ratio proxy/direct as Markdown tables (docs/BENCHMARKS.md).
 *
 * <p>Three processes: ZooKeeper ({@link BenchServer} {@code zk}), the proxy ({@link BenchServer} {@code proxy}), and
 * this load generator, which drives N sessions of the asynchronous ZooKeeper Java API keeping K requests in flight
 * each ({@link LoadRun}). Direct sessions use the server paths under {@code /tenants/bench}; proxied sessions use the
 * same znodes through the tenant {@code bench}, whose chroot that is, so the ensemble does identical work.
 *
 * <pre>
 * --sync no,yes          zookeeper.forceSync values, one ZooKeeper per value
 * --rounds 5             measured runs per side
 * --seconds 5            length of one run
 * --warmup 4             seconds per side before the rounds
 * --scenarios LIST       workload:SESSIONSxINFLIGHT[+WATCHERS], comma-separated (default: every workload)
 * --proxy-jvm ARGS       extra JVM options of the proxy process, space-separated
 * --out FILE             also write the tables to FILE
 * --logs DIR             where ZooKeeper's and the proxy's logs go (default target/bench-logs)
 * </pre>
 */
public final class LoadBench {
    static final int JUTE_MAX_BUFFER = 4 * 1024 * 1024;
    /** The proxy's own cost is measured: the per-tenant budgets (issue 5) would cap the one tenant's throughput. */
    static final String NO_BUDGET = ", requestsPerSecond: 0, bytesPerSecond: 0, connectionsPerSecond: 0";
    /** Budgets on but never reached ({@code --budgets unreached}): what booking every frame costs. */
    static final String UNREACHED_BUDGET = ", requestsPerSecond: 1000000000, bytesPerSecond: 1000000000, "
            + "connectionsPerSecond: 0";
    static final String DEFAULT_SCENARIOS = "getData128:4x32,getData128:1x1,setData1k:4x32,createDelete:4x32,"
            + "multi10:4x8,watch:1x8+16,setData1m:2x2";

    private LoadBench() {
    }

    /** One workload with its shape. */
    record Scenario(LoadRun.Kind kind, int sessions, int inFlight, int watchers, String label) {
        static Scenario parse(String spec) {
            String[] nameShape = spec.split(":");
            String shape = nameShape[1];
            int watchers = 0;
            if (shape.contains("+")) {
                watchers = Integer.parseInt(shape.substring(shape.indexOf('+') + 1));
                shape = shape.substring(0, shape.indexOf('+'));
            }
            String[] sk = shape.split("x");
            return new Scenario(LoadRun.Kind.of(nameShape[0]), Integer.parseInt(sk[0]), Integer.parseInt(sk[1]),
                    watchers, spec);
        }

        String shape() {
            return sessions + "×" + inFlight + (watchers > 0 ? " + " + watchers + " watchers" : "");
        }
    }

    /** The per-run figures of one side. */
    static final class Figures {
        final List<Double> opsPerSec = new ArrayList<>();
        final List<Double> p50 = new ArrayList<>();
        final List<Double> p99 = new ArrayList<>();
        final List<Double> p999 = new ArrayList<>();
        final List<Double> allocPerOp = new ArrayList<>();
        final List<Double> loopCpuPerOp = new ArrayList<>();
        final List<Double> processCpuPerOp = new ArrayList<>();
        final List<Double> wakeUpsPerOp = new ArrayList<>();
        /** CPU of every process of the run (ZooKeeper, load generator, and the proxy if used), per op. */
        final List<Double> totalCpuPerOp = new ArrayList<>();
        long errors;

        void add(LoadRun.Result r) {
            opsPerSec.add(r.opsPerSecond());
            p50.add(r.histogram().getValueAtPercentile(50) / 1000.0);
            p99.add(r.histogram().getValueAtPercentile(99) / 1000.0);
            p999.add(r.histogram().getValueAtPercentile(99.9) / 1000.0);
            errors += r.errors();
        }
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        System.setProperty("jute.maxbuffer", Integer.toString(JUTE_MAX_BUFFER));
        List<String> syncModes = List.of(args.get("sync", "no,yes").split(","));
        int rounds = args.getInt("rounds", 5);
        int seconds = args.getInt("seconds", 5);
        int warmup = args.getInt("warmup", 4);
        List<Scenario> scenarios = new ArrayList<>();
        for (String s : args.get("scenarios", DEFAULT_SCENARIOS).split(",")) {
            scenarios.add(Scenario.parse(s));
        }
        boolean relay = args.get("relay", "none").equals("haproxy");
        String budgets = args.get("budgets", "off").equals("unreached") ? UNREACHED_BUDGET : NO_BUDGET;
        String proxyJvm = args.get("proxy-jvm", "").trim();
        List<String> proxyJvmArgs = proxyJvm.isEmpty() ? List.of() : List.of(proxyJvm.split(" +"));
        Path work = Files.createTempDirectory("zktp-bench");
        Path logs = Path.of(args.get("logs", "target/bench-logs")).toAbsolutePath();
        StringBuilder report = new StringBuilder();
        String loadBefore = BenchArgs.loadAverage();
        long started = System.nanoTime();
        log("load average before: " + loadBefore + "; " + Runtime.getRuntime().availableProcessors() + " cores; "
                + rounds + " rounds of " + seconds + " s per side, warm-up " + warmup + " s per side");
        try {
            for (String sync : syncModes) {
                boolean forceSync = sync.equals("yes");
                Map<Scenario, Figures[]> results = new LinkedHashMap<>();
                ByteRelay haproxy = null;
                try (ChildProcess zk = ChildProcess.zooKeeper(work.resolve("zk-" + sync), forceSync, JUTE_MAX_BUFFER,
                        logs.resolve("zk-" + sync + ".log"));
                     ChildProcess proxy = ChildProcess.proxy("127.0.0.1:" + zk.port(), List.of("bench"),
                             "maxFrameBytes: " + (JUTE_MAX_BUFFER + 1024) + budgets, logs.resolve("proxy-" + sync + ".log"), proxyJvmArgs)) {
                    String direct = "127.0.0.1:" + zk.port();
                    String proxied = "127.0.0.1:" + proxy.port();
                    haproxy = relay ? ByteRelay.haproxy(zk.port(), work.resolve("haproxy-" + sync)) : null;
                    String relayed = haproxy != null ? "127.0.0.1:" + haproxy.port() : null;
                    ZooKeeper admin = connect(direct);
                    try {
                        ensure(admin, "/tenants");
                        ensure(admin, "/tenants/bench");
                        for (Scenario scenario : scenarios) {
                            log("forceSync=" + sync + " " + scenario.label());
                            results.put(scenario, run(scenario, admin, direct, proxied, relayed, zk, proxy, rounds,
                                    seconds, warmup));
                            zk.command("purge");
                        }
                    } finally {
                        admin.close();
                        if (haproxy != null) {
                            haproxy.close();
                        }
                    }
                }
                String table = table(sync, results) + (relay ? "\n" + relayTable(results) : "");
                System.out.println();
                System.out.println(table);
                report.append(table).append('\n');
            }
        } finally {
            deleteTree(work);
        }
        String loadAfter = BenchArgs.loadAverage();
        String footer = String.format("Load average (1/5/15 min) before: %s, after: %s; %d s in all.%n", loadBefore,
                loadAfter, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        System.out.println(footer);
        report.append(footer);
        String out = args.get("out", null);
        if (out != null) {
            Files.writeString(Path.of(out), report.toString());
        }
        System.exit(0);
    }

    private static Figures[] run(Scenario scenario, ZooKeeper admin, String direct, String proxied, String relayed,
                                 ChildProcess zk, ChildProcess proxy, int rounds, int seconds, int warmup)
            throws Exception {
        LoadRun.setUp(admin, scenario);
        Figures d = new Figures();
        Figures p = new Figures();
        Figures h = new Figures();
        try (LoadRun onDirect = LoadRun.open(scenario, direct, "/tenants/bench");
             LoadRun onProxy = LoadRun.open(scenario, proxied, "");
             LoadRun onRelay = relayed != null ? LoadRun.open(scenario, relayed, "/tenants/bench") : null) {
            onDirect.run(warmup);
            onProxy.run(warmup);
            if (onRelay != null) {
                onRelay.run(warmup);
            }
            for (int r = 0; r < rounds; r++) {
                if (onRelay != null) {
                    // the relay's turn comes first in odd rounds, last in even ones
                    if (r % 2 == 1) {
                        relayRound(onRelay, h, r, seconds);
                    }
                }
                boolean directFirst = r % 2 == 0;
                for (int side = 0; side < 2; side++) {
                    boolean isDirect = (side == 0) == directFirst;
                    if (isDirect) {
                        long cpu0 = zk.threads()[2] + selfCpu();
                        LoadRun.Result res = onDirect.run(seconds);
                        long cpu1 = zk.threads()[2] + selfCpu();
                        d.add(res);
                        d.totalCpuPerOp.add((cpu1 - cpu0) / Math.max(1.0, res.opsTotal()) / 1000.0);
                        log(String.format("  round %d direct: %s; ZooKeeper + load generator %.1f µs CPU/op", r, res,
                                (cpu1 - cpu0) / Math.max(1.0, res.opsTotal()) / 1000.0));
                    } else {
                        long cpu0 = zk.threads()[2] + selfCpu();
                        long[] before = proxy.threads();
                        LoadRun.Result res = onProxy.run(seconds);
                        long[] after = proxy.threads();
                        long cpu1 = zk.threads()[2] + selfCpu();
                        p.add(res);
                        double ops = Math.max(1, res.opsTotal());
                        p.totalCpuPerOp.add((cpu1 - cpu0 + after[2] - before[2]) / ops / 1000.0);
                        p.allocPerOp.add((after[0] - before[0]) / ops);
                        p.loopCpuPerOp.add((after[1] - before[1]) / ops / 1000.0);
                        p.processCpuPerOp.add((after[2] - before[2]) / ops / 1000.0);
                        p.wakeUpsPerOp.add((after[3] - before[3]) / ops);
                        log(String.format("  round %d proxy:  %s; proxy loops %,.0f B/op %.1f µs CPU/op %.3f "
                                        + "wake-ups/op, process %.1f µs CPU/op", r, res, (after[0] - before[0]) / ops,
                                (after[1] - before[1]) / ops / 1000.0, (after[3] - before[3]) / ops,
                                (after[2] - before[2]) / ops / 1000.0));
                    }
                }
                if (onRelay != null && r % 2 == 0) {
                    relayRound(onRelay, h, r, seconds);
                }
            }
        }
        return new Figures[] {d, p, h};
    }

    private static void relayRound(LoadRun onRelay, Figures h, int round, int seconds) throws Exception {
        LoadRun.Result res = onRelay.run(seconds);
        h.add(res);
        log(String.format("  round %d relay:  %s", round, res));
    }

    /** Proxy and HAProxy side by side: what each adds to direct, and their throughput against direct. */
    private static String relayTable(Map<Scenario, Figures[]> results) {
        StringBuilder sb = new StringBuilder("| workload | sessions × in flight | HAProxy/direct ops | proxy/direct ops | "
                + "HAProxy added p50 / p99 | proxy added p50 / p99 |\n|---|---|---:|---:|---:|---:|\n");
        for (Map.Entry<Scenario, Figures[]> e : results.entrySet()) {
            Figures d = e.getValue()[0];
            Figures p = e.getValue()[1];
            Figures h = e.getValue()[2];
            double dOps = BenchArgs.median(d.opsPerSec);
            sb.append("| ").append(e.getKey().kind().label()).append(" | ").append(e.getKey().shape()).append(" | ")
                    .append(String.format("%.3f | %.3f | ", BenchArgs.median(h.opsPerSec) / dOps,
                            BenchArgs.median(p.opsPerSec) / dOps))
                    .append(added(h, d)).append(" | ").append(added(p, d)).append(" |\n");
        }
        return sb.toString();
    }

    private static String added(Figures via, Figures direct) {
        return BenchArgs.fmt(BenchArgs.median(via.p50) - BenchArgs.median(direct.p50)) + " / "
                + BenchArgs.fmt(BenchArgs.median(via.p99) - BenchArgs.median(direct.p99));
    }

    private static long selfCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String table(String sync, Map<Scenario, Figures[]> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("forceSync=").append(sync).append(" (medians; latency in µs)\n\n");
        sb.append("| workload | sessions × in flight | direct ops/s | proxy ops/s | proxy/direct | direct p50 / p99 / "
                + "p99.9 | proxy p50 / p99 / p99.9 | added p50 / p99 | proxy B/op | proxy loop CPU µs/op | "
                + "proxy process CPU µs/op | loop wake-ups/op | all processes CPU µs/op direct / proxy | errors |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<Scenario, Figures[]> e : results.entrySet()) {
            Scenario s = e.getKey();
            Figures d = e.getValue()[0];
            Figures p = e.getValue()[1];
            double dOps = BenchArgs.median(d.opsPerSec);
            double pOps = BenchArgs.median(p.opsPerSec);
            sb.append("| ").append(s.kind().label()).append(" | ").append(s.shape()).append(" | ")
                    .append(BenchArgs.fmt(dOps)).append(" | ").append(BenchArgs.fmt(pOps)).append(" | ")
                    .append(String.format("%.3f", pOps / dOps)).append(" | ")
                    .append(lat(d)).append(" | ").append(lat(p)).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(p.p50) - BenchArgs.median(d.p50))).append(" / ")
                    .append(BenchArgs.fmt(BenchArgs.median(p.p99) - BenchArgs.median(d.p99))).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(p.allocPerOp))).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(p.loopCpuPerOp))).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(p.processCpuPerOp))).append(" | ")
                    .append(String.format("%.3f", BenchArgs.median(p.wakeUpsPerOp))).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(d.totalCpuPerOp))).append(" / ")
                    .append(BenchArgs.fmt(BenchArgs.median(p.totalCpuPerOp))).append(" | ")
                    .append(d.errors + p.errors).append(" |\n");
        }
        return sb.toString();
    }

    private static String lat(Figures f) {
        return BenchArgs.fmt(BenchArgs.median(f.p50)) + " / " + BenchArgs.fmt(BenchArgs.median(f.p99)) + " / "
                + BenchArgs.fmt(BenchArgs.median(f.p999));
    }

    static ZooKeeper connect(String connectString) throws Exception {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        ZooKeeper zk = new ZooKeeper(connectString, 30_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.complete(null);
            }
        });
        connected.get(30, TimeUnit.SECONDS);
        return zk;
    }

    static void ensure(ZooKeeper zk, String path) throws Exception {
        try {
            zk.create(path, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException e) {
            // fine
        }
    }

    static void addWatch(ZooKeeper zk, String path, Watcher watcher) throws Exception {
        zk.addWatch(path, watcher, AddWatchMode.PERSISTENT);
    }

    static void log(String line) {
        System.out.println(line);
        System.out.flush();
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // best effort
        }
    }

    /** A latency histogram in nanoseconds, up to a minute, three significant digits. */
    static Histogram newHistogram() {
        return new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    }
}
