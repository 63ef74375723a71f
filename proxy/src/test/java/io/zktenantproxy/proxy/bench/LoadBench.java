package io.zktenantproxy.proxy.bench;

import io.netty.handler.ssl.SslContext;
import io.zktenantproxy.proxy.identity.Identities;
import io.zktenantproxy.proxy.identity.UpstreamAcls;
import io.zktenantproxy.proxy.it.TestSecret;
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
import org.apache.zookeeper.data.ACL;

/**
 * Issue 7's load benchmark: the same workload against ZooKeeper directly and through the proxy, alternating, several
 * rounds; prints the medians and the ratio proxy/direct as Markdown tables (docs/BENCHMARKS.md).
 *
 * <p>Three processes: ZooKeeper ({@link BenchServer} {@code zk}), the proxy ({@link BenchServer} {@code proxy}), and
 * this load generator, which drives N sessions of the asynchronous ZooKeeper Java API keeping K requests in flight
 * each ({@link LoadRun}). Direct sessions use the server paths under {@code /tenants/bench}; proxied sessions use the
 * same znodes through the tenant {@code bench}, whose chroot that is, so the ensemble does identical work.
 *
 * <p>With {@code --baseline-classpath}, a second proxy process, started from another build's class path (the code
 * before a change), is measured in the same rounds as the proxy under test, and a table "after vs before" compares
 * the two. With {@code --quotas on-off}, likewise a second proxy of this build with every quota off (tenant
 * {@code benchoff}, chroot {@code /tenants/benchoff}, so that ZooKeeper keeps no quota count for its znodes), and a
 * table "quotas on vs off".
 *
 * <p>With {@code --secret on}, every proxy of this build runs with an upstream secret ({@code upstream.secretFile}, a
 * fresh random one in a file of mode 600), so its tenant's sessions act upstream as the tenant's identity; the
 * workload znodes under that tenant's chroot get the ACL the proxy gives what the tenant creates with
 * {@code world:anyone} (the tenant's identity and the platform's), and the direct sessions (and HAProxy's)
 * authenticate as the platform identity to reach them. With {@code --secret on-off}, the proxy under test has the
 * secret and a second proxy of this build without it (tenant {@code benchoff}, an open chroot of its own) is measured
 * in the same rounds, and a table "secret on vs off" follows.
 *
 * <p>With {@code --tls openssl}, {@code jdk} or {@code openssl-jdk} (issue 14), everything the rounds measure is TLS:
 * ZooKeeper also serves a {@code secureClientPort} ({@link BenchTls}: certificates from a test CA made at start), the
 * direct sessions use it, and the proxy has TLS tenant listeners and reaches that port over TLS, both with the given
 * {@code tls.provider}; {@code openssl-jdk} starts a second proxy with the JDK's TLS ("jdk") measured in the same
 * rounds, and a table compares both with direct TLS. The bench's own sessions are {@link RawSession}s with Netty's
 * {@code SslHandler} (OpenSSL where it loads, no session resumption), the same for every target: only the workloads
 * {@code getData128} ({@link RawGetDataRun}) and {@code connect} (a full TLS handshake per new session) run over TLS.
 *
 * <p>With {@code --transports epoll,io_uring} (issue 19), one proxy process per listed transport replaces the proxy
 * under test: the same build, tenant, limits and JVM options, plus {@code -Dzktp.transport=T}. All of them are
 * measured in the same rounds as direct (and HAProxy with {@code --relay haproxy}), the order rotating so that each
 * target goes first in turn. The CPU time of every middle process (each proxy, HAProxy) is read the same way, from
 * outside, in {@code /proc} ({@link Procfs}), around each of its runs, and summed over the rounds before it is divided
 * by the ops: a clock tick is 10 ms, too coarse for one short run. A table of every target against direct follows,
 * and, with HAProxy, one of each proxy against HAProxy.
 *
 * <pre>
 * --sync no,yes          zookeeper.forceSync values, one ZooKeeper per value
 * --rounds 5             measured runs per side
 * --seconds 5            length of one run
 * --warmup 4             seconds per side before the rounds
 * --scenarios LIST       workload:SESSIONSxINFLIGHT[+WATCHERS], comma-separated (default: every workload)
 * --proxy-jvm ARGS       extra JVM options of the proxy process, space-separated
 * --baseline-classpath CP  also measure the proxy as BenchServer starts it from CP (the code before a change), with
 *                        the same tenant, limits and JVM options; CP is a class path, ':'-separated
 * --budgets off          per-tenant budgets: off (default) or unreached (10^9/s)
 * --quotas on            the proxy's quotas: on (its defaults), off (all three 0), or on-off (two proxies, one each,
 *                        measured in the same rounds)
 * --off-tenant benchoff  with on-off, the tenant of the proxy without quotas: benchoff (a chroot ZooKeeper keeps no
 *                        quota count for) or bench (the same chroot as the proxy with quotas, so that ZooKeeper's
 *                        own accounting is the same on both sides and only the proxy's cost differs); with
 *                        --secret on-off, the tenant of the proxy without the secret (not bench: that chroot is
 *                        locked to the tenant's identity)
 * --secret off           the upstream secret (issue 13's tenant identities): off, on (every proxy of this build), or
 *                        on-off (the proxy under test with it, a second proxy without it, in the same rounds)
 * --tls off              TLS (issue 14): off, openssl or jdk (the proxy's tls.provider; direct sessions use the
 *                        secure port), or openssl-jdk (two proxies, one each, measured in the same rounds)
 * --transports LIST      one proxy per transport instead of the proxy under test (auto, io_uring, epoll, nio;
 *                        comma-separated), each started with -Dzktp.transport=T, all measured in the same rounds
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
    /** Names of the targets measured in the rounds: ZooKeeper, the proxy, the baseline proxy, HAProxy. */
    static final String DIRECT = "direct";
    static final String PROXY = "proxy";
    static final String BEFORE = "before";
    static final String QUOTAS_OFF = "off";
    /** Every quota off (issue 12): znodes, bytes, watches per session. */
    static final String NO_QUOTA = ", quotaZnodes: 0, quotaBytes: 0, maxWatchesPerSession: 0";
    /** The tenant of the proxy without quotas in {@code --quotas on-off}, by default: a chroot of its own. */
    static final String TENANT_OFF = "benchoff";
    static final String RELAY = "relay";
    /** The proxy without the upstream secret in {@code --secret on-off}. */
    static final String SECRET_OFF = "nosecret";
    /** The second proxy of {@code --tls openssl-jdk}, with the JDK's TLS. */
    static final String JDK_TLS = "jdk";
    /** The proxies of {@code --transports} are called this followed by their transport, e.g. {@code proxy-epoll}. */
    static final String TRANSPORT_PREFIX = "proxy-";
    /** The values of the proxy's {@code zktp.transport} system property (issue 19). */
    static final List<String> TRANSPORTS = List.of("auto", "io_uring", "epoll", "nio");
    /** The marker root and the parent of the tenants' quota znodes, which every proxy writes under. */
    static final String MARKER_ROOT = "/zk-tenant-proxy/sessions";
    static final String QUOTA_TENANTS = "/zookeeper/quota/tenants";

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

    /**
     * One target of the rounds: the address its sessions connect to, the prefix of their paths, the proxy process
     * whose allocation and CPU are read around each run (null for ZooKeeper itself and for HAProxy), the
     * {@code digest} auth its sessions send ({@code user:password}; null for none), and the process id of the middle
     * process whose CPU time {@link Procfs} reads around each run (the proxy's or HAProxy's; 0 for direct).
     */
    record Target(String name, String address, String base, ChildProcess proxy, byte[] auth, long middlePid) {
        Target(String name, String address, String base, ChildProcess proxy) {
            this(name, address, base, proxy, null);
        }

        Target(String name, String address, String base, ChildProcess proxy, byte[] auth) {
            this(name, address, base, proxy, auth, proxy == null ? 0 : proxy.pid());
        }

        /** @return the scenario's sessions to this target, over TLS with {@code tls} unless it is null */
        Workload open(Scenario scenario, SslContext tls) throws Exception {
            if (tls != null && scenario.kind() == LoadRun.Kind.GET_DATA_128) {
                int colon = address.lastIndexOf(':');
                return RawGetDataRun.open(scenario, address.substring(0, colon),
                        Integer.parseInt(address.substring(colon + 1)), base, tls);
            }
            return LoadRun.open(scenario, address, base, auth, tls);
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
        /** The middle process's CPU clock ticks ({@code /proc}) and the ops, summed over every measured run. */
        long middleTicks;
        long middleOps;
        /** The middle process's {@code VmRSS} after the last round, bytes; 0 without a middle process. */
        long middleRss;

        void add(LoadRun.Result r) {
            opsPerSec.add(r.opsPerSecond());
            p50.add(r.histogram().getValueAtPercentile(50) / 1000.0);
            p99.add(r.histogram().getValueAtPercentile(99) / 1000.0);
            p999.add(r.histogram().getValueAtPercentile(99.9) / 1000.0);
            errors += r.errors();
        }

        /** @return the middle process's CPU in µs per op over all rounds, NaN without one */
        double middleCpuPerOp() {
            return middleOps == 0 ? Double.NaN
                    : middleTicks * 1e6 / Procfs.clockTicksPerSecond() / (double) middleOps;
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
        String quotas = args.get("quotas", "on");
        if (!List.of("on", "off", "on-off").contains(quotas)) {
            throw new IllegalArgumentException("--quotas " + quotas + " (expected: on, off or on-off)");
        }
        boolean quotasOnOff = quotas.equals("on-off");
        String limits = "maxFrameBytes: " + (JUTE_MAX_BUFFER + 1024) + budgets
                + (quotas.equals("off") ? NO_QUOTA : "");
        String offTenant = args.get("off-tenant", TENANT_OFF);
        String baseline = args.get("baseline-classpath", null);
        if (baseline != null && quotasOnOff) {
            throw new IllegalArgumentException("--baseline-classpath and --quotas on-off: one second proxy at a time");
        }
        String secret = args.get("secret", "off");
        if (!List.of("off", "on", "on-off").contains(secret)) {
            throw new IllegalArgumentException("--secret " + secret + " (expected: off, on or on-off)");
        }
        boolean secretOnOff = secret.equals("on-off");
        if (secretOnOff && (baseline != null || quotasOnOff)) {
            throw new IllegalArgumentException("--secret on-off with --baseline-classpath or --quotas on-off: one "
                    + "second proxy at a time");
        }
        if (secretOnOff && offTenant.equals("bench")) {
            throw new IllegalArgumentException("--secret on-off --off-tenant bench: the proxy without the secret "
                    + "cannot use the chroot locked to the tenant identity of bench");
        }
        List<String> transports = transports(args.get("transports", null));
        if (!transports.isEmpty() && (baseline != null || quotasOnOff || secretOnOff)) {
            throw new IllegalArgumentException("--transports with --baseline-classpath, --quotas on-off or --secret "
                    + "on-off: the proxies of --transports replace the proxy under test those compare with");
        }
        String tlsMode = args.get("tls", "off");
        List<String> providers = switch (tlsMode) {
            case "off" -> List.of();
            case "openssl", "jdk" -> List.of(tlsMode);
            case "openssl-jdk" -> List.of("openssl", "jdk");
            default -> throw new IllegalArgumentException("--tls " + tlsMode
                    + " (expected: off, openssl, jdk or openssl-jdk)");
        };
        if (providers.size() > 1 && !transports.isEmpty()) {
            throw new IllegalArgumentException("--tls openssl-jdk with --transports: one TLS provider at a time");
        }
        if (!providers.isEmpty() && (!secret.equals("off") || baseline != null || quotasOnOff || relay
                || scenarios.stream().anyMatch(sc -> sc.kind() != LoadRun.Kind.GET_DATA_128
                && sc.kind() != LoadRun.Kind.CONNECT))) {
            throw new IllegalArgumentException("--tls " + tlsMode + ": only the workloads getData128 and connect, "
                    + "without --secret, --baseline-classpath, --quotas on-off or --relay");
        }
        Path secretFile = secret.equals("off") ? null : TestSecret.file(1);
        Identities identities = secretFile == null ? null : TestSecret.identities(secretFile);
        UpstreamAcls upstreamAcls = identities == null ? null : new UpstreamAcls(identities);
        byte[] platformAuth = identities == null ? null : identities.platform().get(0).authData();
        String proxyJvm = args.get("proxy-jvm", "").trim();
        List<String> proxyJvmArgs = proxyJvm.isEmpty() ? List.of() : List.of(proxyJvm.split(" +"));
        Path work = Files.createTempDirectory("zktp-bench");
        BenchTls tls = providers.isEmpty() ? null : BenchTls.create(Files.createDirectory(work.resolve("tls")));
        SslContext clientTls = tls == null ? null : tls.clientContext();
        Path logs = Path.of(args.get("logs", "target/bench-logs")).toAbsolutePath();
        StringBuilder report = new StringBuilder();
        String loadBefore = BenchArgs.loadAverage();
        long started = System.nanoTime();
        String settings = String.format("budgets %s, quotas %s, upstream secret %s, TLS %s%s",
                args.get("budgets", "off"), quotas, secret, tls == null ? "off" : "proxy " + String.join(" and ",
                        providers) + ", bench clients " + BenchTls.clientProvider(),
                transports.isEmpty() ? "" : ", proxy transports " + String.join(" and ", transports));
        log("load average before: " + loadBefore + "; " + Runtime.getRuntime().availableProcessors() + " cores; "
                + rounds + " rounds of " + seconds + " s per side, warm-up " + warmup + " s per side; " + settings);
        report.append(settings).append("\n\n");
        try {
            for (String sync : syncModes) {
                boolean forceSync = sync.equals("yes");
                Map<Scenario, Map<String, Figures>> results = new LinkedHashMap<>();
                ByteRelay haproxy = null;
                try (ChildProcess zk = tls == null ? ChildProcess.zooKeeper(work.resolve("zk-" + sync), forceSync,
                        JUTE_MAX_BUFFER, logs.resolve("zk-" + sync + ".log")) : ChildProcess.secureZooKeeper(
                        work.resolve("zk-" + sync), forceSync, JUTE_MAX_BUFFER, logs.resolve("zk-" + sync + ".log"),
                        tls)) {
                    String direct = "127.0.0.1:" + zk.port();
                    // the proxies' upstream and the direct sessions' address: the secure port with TLS
                    String upstream = tls == null ? direct : "localhost:" + zk.port(1);
                    String directTarget = tls == null ? direct : "127.0.0.1:" + zk.port(1);
                    // the chroots the targets use (server paths), and the ACL of their workload znodes
                    Map<String, List<ACL>> roots = new LinkedHashMap<>();
                    roots.put("/tenants/bench", upstreamAcls == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE
                            : upstreamAcls.chroot("bench"));
                    if (quotasOnOff) {
                        roots.putIfAbsent("/tenants/" + offTenant, upstreamAcls == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE
                                : upstreamAcls.chroot(offTenant));
                    }
                    if (secretOnOff) {
                        roots.put("/tenants/" + offTenant, ZooDefs.Ids.OPEN_ACL_UNSAFE);
                    }
                    ZooKeeper admin = connect(direct);
                    if (platformAuth != null) {
                        admin.addAuthInfo("digest", platformAuth);
                    }
                    try {
                        // before the proxies start, so that the ACLs are these whichever proxy comes first
                        ensure(admin, "/tenants", upstreamAcls == null ? ZooDefs.Ids.OPEN_ACL_UNSAFE
                                : upstreamAcls.platformOnly());
                        for (Map.Entry<String, List<ACL>> root : roots.entrySet()) {
                            ensure(admin, root.getKey(), root.getValue());
                        }
                        if (secretOnOff) {
                            // both proxies write under these: the one without the secret has no identity to be
                            // granted anything by name (with the secret alone they would be the platform's)
                            ensure(admin, "/zk-tenant-proxy", upstreamAcls.platformOnly());
                            ensure(admin, MARKER_ROOT, ZooDefs.Ids.OPEN_ACL_UNSAFE);
                            ensure(admin, QUOTA_TENANTS, ZooDefs.Ids.OPEN_ACL_UNSAFE);
                        }
                        try (ChildProcess proxy = !transports.isEmpty() ? null : ChildProcess.proxy(
                                System.getProperty("java.class.path"), upstream, List.of("bench"), limits, secretFile,
                                tls, providers.isEmpty() ? null : providers.get(0),
                                logs.resolve("proxy-" + sync + ".log"), proxyJvmArgs);
                             PerTransport perTransport = PerTransport.start(transports, upstream, limits, secretFile,
                                     tls, providers.isEmpty() ? null : providers.get(0), logs, sync, proxyJvmArgs);
                             ChildProcess jdk = providers.size() < 2 ? null : ChildProcess.proxy(
                                     System.getProperty("java.class.path"), upstream, List.of("bench"), limits, null,
                                     tls, providers.get(1), logs.resolve("proxy-jdk-" + sync + ".log"), proxyJvmArgs);
                             ChildProcess before = baseline == null ? null : ChildProcess.proxy(baseline, direct,
                                     List.of("bench"), limits, secretFile,
                                     logs.resolve("proxy-before-" + sync + ".log"), proxyJvmArgs);
                             ChildProcess off = !quotasOnOff ? null : ChildProcess.proxy(
                                     System.getProperty("java.class.path"), direct, List.of(offTenant),
                                     limits + NO_QUOTA, secretFile, logs.resolve("proxy-off-" + sync + ".log"),
                                     proxyJvmArgs);
                             ChildProcess plain = !secretOnOff ? null : ChildProcess.proxy(
                                     System.getProperty("java.class.path"), direct, List.of(offTenant), limits, null,
                                     logs.resolve("proxy-nosecret-" + sync + ".log"), proxyJvmArgs)) {
                            List<Target> targets = new ArrayList<>(List.of(
                                    new Target(DIRECT, directTarget, "/tenants/bench", null, platformAuth)));
                            if (proxy != null) {
                                targets.add(new Target(PROXY, "127.0.0.1:" + proxy.port(), "", proxy));
                            }
                            for (int i = 0; i < transports.size(); i++) {
                                ChildProcess p = perTransport.proxies().get(i);
                                targets.add(new Target(TRANSPORT_PREFIX + transports.get(i),
                                        "127.0.0.1:" + p.port(), "", p));
                            }
                            if (jdk != null) {
                                targets.add(new Target(JDK_TLS, "127.0.0.1:" + jdk.port(), "", jdk));
                            }
                            if (before != null) {
                                targets.add(new Target(BEFORE, "127.0.0.1:" + before.port(), "", before));
                            }
                            if (off != null) {
                                targets.add(new Target(QUOTAS_OFF, "127.0.0.1:" + off.port(), "", off));
                            }
                            if (plain != null) {
                                targets.add(new Target(SECRET_OFF, "127.0.0.1:" + plain.port(), "", plain));
                            }
                            haproxy = relay ? ByteRelay.haproxy(zk.port(), work.resolve("haproxy-" + sync)) : null;
                            if (haproxy != null) {
                                targets.add(new Target(RELAY, "127.0.0.1:" + haproxy.port(), "/tenants/bench", null,
                                        platformAuth, haproxy.pid()));
                            }
                            for (Scenario scenario : scenarios) {
                                log("forceSync=" + sync + " " + scenario.label());
                                results.put(scenario, run(scenario, admin, roots, targets, zk, rounds, seconds,
                                        warmup, clientTls, !transports.isEmpty()));
                                zk.command("purge");
                            }
                        }
                    } finally {
                        admin.close();
                        if (haproxy != null) {
                            haproxy.close();
                        }
                    }
                }
                List<String> transportTargets = transports.stream().map(t -> TRANSPORT_PREFIX + t).toList();
                String table = !transports.isEmpty() ? TransportTable.table(sync, results, transportTargets)
                        + (relay ? "\n" + TransportTable.againstRelay(results, transportTargets) : "")
                        : table(sync, results) + (relay ? "\n" + relayTable(results) : "")
                        + (baseline != null ? "\n" + pairTable(results, BEFORE, "after vs before", "after", "before")
                        : "")
                        + (quotasOnOff ? "\n" + pairTable(results, QUOTAS_OFF, "quotas on vs off", "on", "off") : "")
                        + (secretOnOff ? "\n" + pairTable(results, SECRET_OFF, "secret on vs off", "on", "off")
                        : "")
                        + (providers.size() > 1 ? "\n" + TargetTable.againstDirect(results, List.of(PROXY, JDK_TLS),
                        List.of("proxy, OpenSSL", "proxy, JDK")) : "");
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
        args.saveReport(report);
        System.exit(0);
    }

    /**
     * Opens every target's sessions, warms each up, then runs the rounds: the targets in order in even rounds
     * (direct, proxy, [jdk,] [before,] [relay,] [off]) and in reverse order in odd ones, so that none always goes
     * first; with {@code rotate}, the rounds also start from the next target every second round ({@link #order}),
     * so that with more than two targets each of them goes first in turn, not only the first and the last. Last,
     * the {@code VmRSS} of each target's middle process.
     *
     * @param roots the chroots whose znodes the targets use (server paths), with the ACL of those znodes
     * @return each target's figures, by name
     */
    private static Map<String, Figures> run(Scenario scenario, ZooKeeper admin, Map<String, List<ACL>> roots,
                                            List<Target> targets, ChildProcess zk, int rounds, int seconds,
                                            int warmup, SslContext tls, boolean rotate) throws Exception {
        for (Map.Entry<String, List<ACL>> root : roots.entrySet()) {
            LoadRun.setUp(admin, scenario, root.getKey(), root.getValue());
        }
        Map<String, Figures> figures = new LinkedHashMap<>();
        List<Workload> runs = new ArrayList<>();
        try {
            for (Target t : targets) {
                runs.add(t.open(scenario, tls));
                figures.put(t.name(), new Figures());
            }
            for (Workload run : runs) {
                run.run(warmup);
            }
            for (int r = 0; r < rounds; r++) {
                for (int k : order(r, targets.size(), rotate)) {
                    measure(targets.get(k), runs.get(k), figures.get(targets.get(k).name()), zk, r, seconds);
                }
            }
            for (Target t : targets) {
                if (t.middlePid() > 0) {
                    figures.get(t.name()).middleRss = Procfs.rssBytes(t.middlePid());
                }
            }
        } finally {
            for (Workload run : runs) {
                run.close();
            }
        }
        return figures;
    }

    /**
     * The order of the targets in round {@code round}: 0..n-1 in even rounds and n-1..0 in odd ones; with
     * {@code rotate}, even rounds start from target {@code (round / 2) % n} and odd ones run the round before
     * backwards (so the target that ended a round starts the next, as without rotation).
     */
    static int[] order(int round, int n, boolean rotate) {
        int start = rotate ? (round / 2) % n : 0;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = (start + (round % 2 == 0 ? i : n - 1 - i)) % n;
        }
        return order;
    }

    /**
     * One timed run of one target: its throughput and latency, the CPU of ZooKeeper and this load generator (and of
     * the proxy process, if the target has one), the proxy's event-loop allocation, CPU and wake-ups per op, and the
     * middle process's CPU ticks from {@code /proc}. Those are read inside the proxy's {@code threads} commands, so
     * that the commands' own work in the proxy is not counted: HAProxy is asked nothing.
     */
    private static void measure(Target target, Workload on, Figures f, ChildProcess zk, int round, int seconds)
            throws Exception {
        ChildProcess proxy = target.proxy();
        long cpu0 = zk.threads()[2] + selfCpu();
        long[] before = proxy != null ? proxy.threads() : new long[4];
        long ticks0 = target.middlePid() > 0 ? Procfs.cpuTicks(target.middlePid()) : 0;
        LoadRun.Result res = on.run(seconds);
        long ticks1 = target.middlePid() > 0 ? Procfs.cpuTicks(target.middlePid()) : 0;
        long[] after = proxy != null ? proxy.threads() : new long[4];
        long cpu1 = zk.threads()[2] + selfCpu();
        f.add(res);
        f.middleTicks += ticks1 - ticks0;
        f.middleOps += target.middlePid() > 0 ? res.opsTotal() : 0;
        double ops = Math.max(1, res.opsTotal());
        double totalCpu = (cpu1 - cpu0 + after[2] - before[2]) / ops / 1000.0;
        f.totalCpuPerOp.add(totalCpu);
        String line = String.format("  round %d %-7s %s; ZooKeeper + load generator%s %.1f µs CPU/op%s", round,
                target.name() + ":", res, proxy != null ? " + proxy" : "", totalCpu, target.middlePid() > 0
                        ? String.format("; middle process %d ticks (/proc)", ticks1 - ticks0) : "");
        if (proxy != null) {
            double alloc = (after[0] - before[0]) / ops;
            double loopCpu = (after[1] - before[1]) / ops / 1000.0;
            double processCpu = (after[2] - before[2]) / ops / 1000.0;
            double wakeUps = (after[3] - before[3]) / ops;
            f.allocPerOp.add(alloc);
            f.loopCpuPerOp.add(loopCpu);
            f.processCpuPerOp.add(processCpu);
            f.wakeUpsPerOp.add(wakeUps);
            line += String.format("; proxy loops %,.0f B/op %.1f µs CPU/op %.3f wake-ups/op, process %.1f µs CPU/op",
                    alloc, loopCpu, wakeUps, processCpu);
        }
        log(line);
    }

    /** Proxy and HAProxy side by side: what each adds to direct, and their throughput against direct. */
    private static String relayTable(Map<Scenario, Map<String, Figures>> results) {
        StringBuilder sb = new StringBuilder("| workload | sessions × in flight | HAProxy/direct ops | proxy/direct ops | "
                + "HAProxy added p50 / p99 | proxy added p50 / p99 |\n|---|---|---:|---:|---:|---:|\n");
        for (Map.Entry<Scenario, Map<String, Figures>> e : results.entrySet()) {
            Figures d = e.getValue().get(DIRECT);
            Figures p = e.getValue().get(PROXY);
            Figures h = e.getValue().get(RELAY);
            double dOps = BenchArgs.median(d.opsPerSec);
            sb.append("| ").append(e.getKey().kind().label()).append(" | ").append(e.getKey().shape()).append(" | ")
                    .append(String.format("%.3f | %.3f | ", BenchArgs.median(h.opsPerSec) / dOps,
                            BenchArgs.median(p.opsPerSec) / dOps))
                    .append(added(h, d)).append(" | ").append(added(p, d)).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * The proxy under test ("after", "on") against a second proxy measured in the same rounds (the baseline,
     * {@code --baseline-classpath}, "before"; or this build without quotas, {@code --quotas on-off}, "off"):
     * throughput, latency, and the event loops' heap allocation and CPU per op.
     *
     * @param other the second proxy's target name
     * @param a     what the proxy under test is called in the table
     * @param b     what the second proxy is called
     */
    private static String pairTable(Map<Scenario, Map<String, Figures>> results, String other, String title, String a,
                                    String b) {
        StringBuilder sb = new StringBuilder(title + " (medians; latency in µs)\n\n");
        sb.append(String.format("| workload | sessions × in flight | %1$s ops/s | %2$s ops/s | %1$s/%2$s | %1$s/%2$s per "
                + "round: median (min–max) | %1$s p50 / p99 | %2$s p50 / p99 | %1$s B/op | %2$s B/op | loop CPU µs/op "
                + "%1$s / %2$s | errors |%n", a, b));
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<Scenario, Map<String, Figures>> e : results.entrySet()) {
            Figures fa = e.getValue().get(PROXY);
            Figures fb = e.getValue().get(other);
            double aOps = BenchArgs.median(fa.opsPerSec);
            double bOps = BenchArgs.median(fb.opsPerSec);
            sb.append("| ").append(e.getKey().kind().label()).append(" | ").append(e.getKey().shape()).append(" | ")
                    .append(BenchArgs.fmt(aOps)).append(" | ").append(BenchArgs.fmt(bOps)).append(" | ")
                    .append(String.format("%.3f", aOps / bOps)).append(" | ")
                    .append(perRound(fa.opsPerSec, fb.opsPerSec)).append(" | ")
                    .append(p50p99(fa)).append(" | ").append(p50p99(fb)).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(fa.allocPerOp))).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(fb.allocPerOp))).append(" | ")
                    .append(BenchArgs.fmt(BenchArgs.median(fa.loopCpuPerOp))).append(" / ")
                    .append(BenchArgs.fmt(BenchArgs.median(fb.loopCpuPerOp))).append(" | ")
                    .append(fa.errors + fb.errors).append(" |\n");
        }
        return sb.toString();
    }

    /**
     * The ratio of the two sides' throughput round by round: the two run one after the other in each round, so a
     * change of the machine's load between rounds moves both.
     */
    static String perRound(List<Double> a, List<Double> b) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            ratios.add(a.get(i) / b.get(i));
        }
        return ratios.isEmpty() ? "-" : String.format("%.3f (%.3f–%.3f)", BenchArgs.median(ratios),
                java.util.Collections.min(ratios), java.util.Collections.max(ratios));
    }

    private static String p50p99(Figures f) {
        return BenchArgs.fmt(BenchArgs.median(f.p50)) + " / " + BenchArgs.fmt(BenchArgs.median(f.p99));
    }

    private static String added(Figures via, Figures direct) {
        return BenchArgs.fmt(BenchArgs.median(via.p50) - BenchArgs.median(direct.p50)) + " / "
                + BenchArgs.fmt(BenchArgs.median(via.p99) - BenchArgs.median(direct.p99));
    }

    private static long selfCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static String table(String sync, Map<Scenario, Map<String, Figures>> results) {
        StringBuilder sb = new StringBuilder();
        sb.append("forceSync=").append(sync).append(" (medians; latency in µs)\n\n");
        sb.append("| workload | sessions × in flight | direct ops/s | proxy ops/s | proxy/direct | direct p50 / p99 / "
                + "p99.9 | proxy p50 / p99 / p99.9 | added p50 / p99 | proxy B/op | proxy loop CPU µs/op | "
                + "proxy process CPU µs/op | loop wake-ups/op | all processes CPU µs/op direct / proxy | errors |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<Scenario, Map<String, Figures>> e : results.entrySet()) {
            Scenario s = e.getKey();
            Figures d = e.getValue().get(DIRECT);
            Figures p = e.getValue().get(PROXY);
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

    static String lat(Figures f) {
        return BenchArgs.fmt(BenchArgs.median(f.p50)) + " / " + BenchArgs.fmt(BenchArgs.median(f.p99)) + " / "
                + BenchArgs.fmt(BenchArgs.median(f.p999));
    }

    /** @return the transports of {@code --transports}, checked, in the order given; empty without the option */
    private static List<String> transports(String option) {
        if (option == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String t : option.split(",")) {
            if (!TRANSPORTS.contains(t) || out.contains(t)) {
                throw new IllegalArgumentException("--transports " + option + " (expected: distinct values of "
                        + TRANSPORTS + ", comma-separated)");
            }
            out.add(t);
        }
        return out;
    }

    /**
     * The proxies of {@code --transports}, one per transport, as the proxy under test would be started but with
     * {@code -Dzktp.transport=T} last among the JVM options (so it wins over one in {@code --proxy-jvm}); closed
     * together.
     */
    record PerTransport(List<ChildProcess> proxies) implements AutoCloseable {
        static PerTransport start(List<String> transports, String upstream, String limits, Path secretFile,
                                  BenchTls tls, String provider, Path logs, String sync, List<String> jvmArgs)
                throws Exception {
            PerTransport started = new PerTransport(new ArrayList<>());
            try {
                for (String t : transports) {
                    List<String> jvm = new ArrayList<>(jvmArgs);
                    jvm.add("-Dzktp.transport=" + t);
                    started.proxies.add(ChildProcess.proxy(System.getProperty("java.class.path"), upstream,
                            List.of("bench"), limits, secretFile, tls, provider,
                            logs.resolve("proxy-" + t + "-" + sync + ".log"), jvm));
                }
            } catch (Exception e) {
                started.close();
                throw e;
            }
            return started;
        }

        @Override
        public void close() {
            for (ChildProcess p : proxies) {
                p.close();
            }
        }
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
        ensure(zk, path, ZooDefs.Ids.OPEN_ACL_UNSAFE);
    }

    /** Creates {@code path} with {@code acl} unless it exists (then its ACL stays as it is). */
    static void ensure(ZooKeeper zk, String path, List<ACL> acl) throws Exception {
        try {
            zk.create(path, new byte[0], acl, CreateMode.PERSISTENT);
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
