package io.zktenantproxy.proxy.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Issue 17's reconnect storm (docs/RELIABILITY.md, "Reconnect storm"): many sessions of tenant {@code a} on one proxy
 * replica, that replica killed with SIGKILL, every session resuming on the surviving replicas as the ZooKeeper Java
 * client would ({@link ResumingSession}), while tenant {@code b} reads steadily through a survivor
 * ({@link SteadyGetData}). ZooKeeper (standalone) and each replica run in JVMs of their own ({@link ChildProcess});
 * the sessions in this one. Prints what became of the sessions (resume time from the kill: p50 / p99 / max; how many
 * expired), what the survivors' accept budgets did, what the ensemble saw ({@code mntr}), tenant b's getData latency
 * before, during and after the storm, and a timeline ({@link StormProbe}, twice a second).
 *
 * <p>With {@code --tls yes} (issue 17: the storm through TLS) everything is as a TLS deployment has it: every
 * replica's tenant listeners are TLS ({@link BenchTls}: a test CA made at start, the server certificate for
 * {@code 127.0.0.1}, no client certificate asked) and each replica reaches ZooKeeper's {@code secureClientPort} over
 * TLS, so a resume costs a TLS handshake on the survivor and another one upstream. Tenant a's sessions and tenant b's
 * use {@link BenchTls#clientContext()} (trusting the CA, host names verified, no session cache: every connection makes
 * a full handshake, as a resume on another replica must anyway); the handshake runs inside each attempt's
 * {@code connectTimeout} ({@link ResumingSession}). The ensemble's {@code mntr} is still read on its plain port.
 *
 * <pre>
 * --sessions 5000    sessions of tenant a, all on the first replica
 * --replicas 3       proxy replicas (the first is killed)
 * --timeout 30000    session timeout asked for, ms
 * --window 500       handshakes in progress at once while the sessions are opened
 * --limits ''        YAML limits added to every replica's ({@code maxConnectionsPerTenant} is set to sessions + 1000),
 *                    e.g. 'connectionsPerSecond: 1000'
 * --b-rate 500       tenant b's getData requests a second, over --b-sessions sessions (default 4)
 * --before 10        seconds of tenant b's load measured before the kill (after 5 s of warm-up)
 * --after 10         seconds measured after every session settled
 * --hold 40          seconds to keep the resumed sessions afterwards, then count those still alive
 * --b-apart no       yes: tenant a's connect string leaves out replica 2, through which tenant b reads, so that b
 *                    meets the storm only through the shared machine and ensemble, not through its replica
 * --sync yes         zookeeper.forceSync
 * --tls no           yes: TLS listeners on every replica and TLS upstream, every session over TLS
 * --tls-provider auto the replicas' tls.provider with --tls yes: auto (OpenSSL where it loads), openssl or jdk
 * --logs DIR         the servers' logs (default target/bench-logs)
 * --replica-jvm ''   JVM options of the surviving replicas, space-separated (e.g. a JFR recording, with {@code %d}
 *                    standing for the replica's number)
 * </pre>
 */
public final class ReconnectStormBench {
    private static final String STORM = "a";
    private static final String STEADY = "b";

    private ReconnectStormBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        int count = args.getInt("sessions", 5000);
        int replicaCount = args.getInt("replicas", 3);
        int timeoutMs = args.getInt("timeout", 30_000);
        String extraLimits = args.get("limits", "");
        Path work = Files.createTempDirectory("zktp-storm");
        Path logs = Path.of(args.get("logs", "target/bench-logs")).toAbsolutePath();
        boolean withTls = switch (args.get("tls", "no")) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("--tls " + args.get("tls", "no") + " (expected: yes or no)");
        };
        String provider = args.get("tls-provider", "auto");
        BenchTls tls = withTls ? BenchTls.create(Files.createDirectory(work.resolve("tls"))) : null;
        SslContext clientTls = withTls ? tls.clientContext() : null;
        String loadBefore = BenchArgs.loadAverage();
        LoadBench.log("load average before: " + loadBefore + "; " + count + " sessions of tenant a on replica 0 of "
                + replicaCount + ", timeout " + timeoutMs + " ms, extra limits '" + extraLimits + "', TLS "
                + (withTls ? "replicas " + provider + " (listeners and upstream), clients " + BenchTls.clientProvider()
                : "off"));
        String limits = "maxConnectionsPerTenant: " + (count + 1000)
                + (extraLimits.isEmpty() ? "" : ", " + extraLimits);
        EventLoopGroup stormLoops = RawSession.group(2, "storm-client");
        EventLoopGroup steadyLoops = RawSession.group(1, "steady-client");
        List<ChildProcess> replicas = new ArrayList<>();
        boolean sync = args.get("sync", "yes").equals("yes");
        try (ChildProcess zk = withTls
                ? ChildProcess.secureZooKeeper(work.resolve("zk"), sync, 1024 * 1024, logs.resolve("storm-zk.log"),
                        tls, "-Dzookeeper.maxCnxns=0")
                : ChildProcess.zooKeeper(work.resolve("zk"), sync, 1024 * 1024, logs.resolve("storm-zk.log"),
                        "-Dzookeeper.maxCnxns=0")) {
            prepareSteadyZnode("127.0.0.1:" + zk.port());
            for (int i = 0; i < replicaCount; i++) {
                Path log = logs.resolve("storm-proxy-" + i + ".log");
                List<String> jvm = replicaJvm(args.get("replica-jvm", ""), i);
                // with TLS the upstream is the secure port by the name its certificate has (BenchTls: localhost)
                replicas.add(withTls
                        ? ChildProcess.proxy(System.getProperty("java.class.path"), "localhost:" + zk.port(1),
                                List.of(STORM, STEADY), limits, null, tls, provider, log, jvm)
                        : ChildProcess.proxy("127.0.0.1:" + zk.port(), List.of(STORM, STEADY), limits, log, jvm));
            }
            List<InetSocketAddress> stormAddresses = new ArrayList<>();
            for (ChildProcess r : replicas) {
                stormAddresses.add(new InetSocketAddress("127.0.0.1", r.port(0)));
            }
            long openStart = System.nanoTime();
            List<InetSocketAddress> connectString = new ArrayList<>(stormAddresses);
            if (args.get("b-apart", "no").equals("yes")) {
                connectString.remove(1);
            }
            try (StormSessions sessions = StormSessions.open(stormLoops, connectString, stormAddresses.get(0), count,
                    args.getInt("window", 500), timeoutMs, clientTls);
                 SteadyGetData steady = SteadyGetData.start(steadyLoops, "127.0.0.1", replicas.get(1).port(1),
                         args.getInt("b-sessions", 4), args.getInt("b-rate", 500), "/data", clientTls)) {
                LoadBench.log(String.format("opened %d sessions in %.1f s, %d failed", sessions.size(),
                        (System.nanoTime() - openStart) / 1e9, sessions.failedToOpen()));
                Storm storm = new Storm(sessions, steady, new StormProbe(replicas.subList(1, replicas.size()),
                        stormAddresses.subList(1, replicas.size()).stream().map(InetSocketAddress::getPort).toList(),
                        STORM, zk.port()), cpuOf(zk, replicas));
                storm.run(replicas.get(0), args.getInt("before", 10), args.getInt("after", 10),
                        args.getInt("hold", 40), 2L * timeoutMs + 30_000);
            }
        } finally {
            for (ChildProcess r : replicas) {
                r.close();
            }
            stormLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            steadyLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            LoadBench.deleteTree(work);
        }
        System.out.println("Load average (1/5/15 min) before: " + loadBefore + ", after: " + BenchArgs.loadAverage());
        System.exit(0);
    }

    /** @return the JVM options of replica {@code i}: none for the doomed first one, else {@code spec}'s */
    private static List<String> replicaJvm(String spec, int i) {
        if (i == 0 || spec.isBlank()) {
            return List.of();
        }
        return List.of(String.format(Locale.ROOT, spec, i).trim().split("\\s+"));
    }

    /** @return the processes whose CPU the storm report splits: ZooKeeper, the replicas, and this bench's clients */
    private static Map<String, ProcessHandle> cpuOf(ChildProcess zk, List<ChildProcess> replicas) {
        Map<String, ProcessHandle> processes = new LinkedHashMap<>();
        processes.put("ZooKeeper", ProcessHandle.of(zk.pid()).orElseThrow());
        for (int i = 1; i < replicas.size(); i++) {
            processes.put("replica " + i, ProcessHandle.of(replicas.get(i).pid()).orElseThrow());
        }
        processes.put("clients (this bench: storm sessions and tenant b)", ProcessHandle.current());
        return processes;
    }

    /** Tenant b's znode, 128 bytes, created directly on the ensemble under b's chroot. */
    private static void prepareSteadyZnode(String connectString) throws Exception {
        ZooKeeper admin = LoadBench.connect(connectString);
        try {
            LoadBench.ensure(admin, "/tenants");
            LoadBench.ensure(admin, "/tenants/" + STEADY);
            try {
                admin.create("/tenants/" + STEADY + "/data", new byte[128], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
            } catch (KeeperException.NodeExistsException e) {
                // from an earlier run
            }
        } finally {
            admin.close();
        }
    }

    static String latencyRow(String phase, Histogram h) {
        return String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s |", phase, h.getTotalCount(),
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)),
                ms(h.getMaxValue()));
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }
}
