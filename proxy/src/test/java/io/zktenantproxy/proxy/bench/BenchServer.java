package io.zktenantproxy.proxy.bench;

import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.embedded.EmbeddedZooKeeper;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.zookeeper.server.PurgeTxnLog;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * The server side of a benchmark, in a JVM of its own so that its heap, RSS, allocation and CPU are its alone: either
 * a real ZooKeeper ({@code zk DIR [secure]}; with {@code secure} also a TLS {@code secureClientPort}, its port
 * second) or the proxy ({@code proxy UPSTREAM TENANT[,TENANT...] LIMITS [SECRET_FILE|-] [TLS_DIR PROVIDER]},
 * LIMITS the YAML flow mapping's inside, e.g. {@code 'maxFrameBytes: 4195328, maxInFlight: 1000'}; SECRET_FILE, if
 * given and not {@code -}, the upstream secret file, {@code upstream.secretFile}: the tenants then act upstream as
 * their identities; TLS_DIR, if given, a {@link BenchTls} folder: TLS listeners with {@code tls.provider} PROVIDER,
 * and TLS to UPSTREAM, which must then be ZooKeeper's secure port by a name its certificate has).
 * Started by {@link ChildProcess}. Prints {@code BENCH READY <port>[,<port>...]}, then answers commands read from
 * standard input, one line each, with one {@code BENCH ...} line:
 *
 * <ul>
 *   <li>{@code heap}: full GC twice, then heap used (bytes), RSS (bytes, {@code /proc/self/status}), threads;</li>
 *   <li>{@code sample}: heap used now (bytes, no GC), heap max, collections and milliseconds in GC so far, and
 *       (ZooKeeper) its znode count and approximate data size ({@code DataTreeMXBean}), -1 where unknown;</li>
 *   <li>{@code threads}: bytes allocated and CPU nanoseconds so far by the proxy's event-loop threads
 *       ({@code zktp-io-*}, {@code zktp-accept-*}), the process CPU nanoseconds, and the voluntary context switches
 *       of the {@code zktp-io} threads (wake-ups from epoll_wait);</li>
 *   <li>{@code purge}: (ZooKeeper) deletes transaction logs and snapshots but the newest three;</li>
 *   <li>{@code scrape}: (proxy) its meters whose Prometheus text lines start with {@code zktp_connections},
 *       {@code zktp_sessions} or {@code zktp_listener}, the lines joined by tabs (what the admin {@code /metrics}
 *       would show of them; the bench proxy has no admin listener);</li>
 *   <li>{@code quit}: exits.</li>
 * </ul>
 *
 * ZooKeeper settings come as system properties on the command line ({@code zookeeper.forceSync},
 * {@code jute.maxbuffer}, {@code zookeeper.snapSizeLimitInKb}).
 */
public final class BenchServer {
    static final String PREFIX = "BENCH ";

    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        AutoCloseable server;
        Path dataDir = null;
        List<Integer> ports = new ArrayList<>();
        switch (args[0]) {
            case "zk" -> {
                dataDir = Path.of(args[1]);
                int port = freePort();
                ports.add(port);
                if (args.length > 2 && args[2].equals("secure")) {
                    int securePort = freePort();
                    server = secureZooKeeper(dataDir, port, securePort);
                    ports.add(securePort);
                } else {
                    server = EmbeddedZooKeeper.start(dataDir, port);
                }
            }
            case "proxy" -> {
                StringBuilder yaml = new StringBuilder();
                String secretFile = args.length > 4 && !args[4].equals("-") ? args[4] : null;
                Path tlsDir = args.length > 6 ? Path.of(args[5]) : null;
                if (secretFile != null || tlsDir != null) {
                    yaml.append("upstream: {connect: '").append(args[1]).append('\'');
                    if (secretFile != null) {
                        yaml.append(", secretFile: '").append(secretFile).append('\'');
                    }
                    if (tlsDir != null) {
                        yaml.append(", tls: ").append(BenchTls.upstreamTlsYaml(tlsDir));
                    }
                    yaml.append("}\n");
                } else {
                    yaml.append("upstream: ").append(args[1]).append('\n');
                }
                if (tlsDir != null) {
                    yaml.append(BenchTls.listenerTlsYaml(tlsDir, args[6]));
                }
                yaml.append("limits: {").append(args[3]).append("}\n");
                yaml.append("tenants:\n");
                String[] tenants = args[2].split(",");
                for (String t : tenants) {
                    yaml.append("  - {name: ").append(t).append(", listen: '127.0.0.1:0'}\n");
                }
                ProxyConfig config = ConfigLoader.parse(yaml.toString(), "bench");
                ProxyServer proxy = ProxyServer.start(config);
                for (String t : tenants) {
                    ports.add(proxy.address(t).getPort());
                }
                server = proxy;
            }
            default -> throw new IllegalArgumentException("mode " + args[0] + " (expected: zk or proxy)");
        }
        StringBuilder ready = new StringBuilder();
        for (int p : ports) {
            ready.append(ready.length() == 0 ? "" : ",").append(p);
        }
        reply("READY " + ready);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "heap" -> reply(heap());
                case "threads" -> reply(threads());
                case "sample" -> reply(sample());
                case "scrape" -> reply(scrape(server));
                case "purge" -> {
                    purge(dataDir);
                    reply("PURGED");
                }
                case "quit" -> {
                    reply("BYE");
                    halt(server);
                }
                default -> reply("ERROR unknown command " + line);
            }
        }
        halt(server);
    }

    private static void halt(AutoCloseable server) {
        try {
            server.close();
        } catch (Exception e) {
            // exiting anyway
        }
        System.exit(0); // not halt: shutdown hooks write a flight recording started with -XX:StartFlightRecording

    }

    /** The connection, session and listener meters' lines, tab-separated ({@code scrape}); empty for ZooKeeper. */
    private static String scrape(AutoCloseable server) {
        if (!(server instanceof ProxyServer proxy)) {
            return "SCRAPE";
        }
        StringBuilder out = new StringBuilder("SCRAPE");
        for (String l : proxy.metrics().scrape().split("\n")) {
            if (l.startsWith("zktp_connections") || l.startsWith("zktp_sessions") || l.startsWith("zktp_listener")) {
                out.append('\t').append(l);
            }
        }
        return out.toString();
    }

    private static void reply(String line) {
        System.out.println(PREFIX + line);
        System.out.flush();
    }

    /**
     * A standalone ZooKeeper as {@link EmbeddedZooKeeper} starts it (same settings), that also serves TLS on
     * {@code securePort} ({@code secureClientPort}, all addresses): its TLS settings come from this JVM's
     * {@code zookeeper.ssl.*} and {@code zookeeper.serverCnxnFactory} system properties ({@link BenchTls}).
     */
    private static AutoCloseable secureZooKeeper(Path dir, int port, int securePort) throws Exception {
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("clientPort", Integer.toString(port));
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("secureClientPort", Integer.toString(securePort));
        p.setProperty("tickTime", "2000");
        p.setProperty("maxClientCnxns", "0");
        p.setProperty("admin.enableServer", "false");
        p.setProperty("4lw.commands.whitelist", "srvr,ruok,mntr,stat");
        ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder().baseDir(dir.toAbsolutePath())
                .configuration(p).exitHandler(ExitHandler.LOG_ONLY).build();
        server.start(30_000);
        return server;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String heap() throws Exception {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long rss = 0;
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                rss = Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return "HEAP " + used + " " + rss + " " + Thread.activeCount();
    }

    /** The heap as it is, without a GC, and the data tree's size if this is ZooKeeper: cheap enough to poll. */
    private static String sample() {
        java.lang.management.MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long collections = 0;
        long gcMillis = 0;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        long nodes = -1;
        long dataSize = -1;
        try {
            javax.management.MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            for (javax.management.ObjectName n : mbeans.queryNames(
                    new javax.management.ObjectName("org.apache.ZooKeeperService:*"), null)) {
                if ("InMemoryDataTree".equals(n.getKeyProperty("name1"))) {
                    nodes = ((Number) mbeans.getAttribute(n, "NodeCount")).longValue();
                    dataSize = ((Number) mbeans.invoke(n, "approximateDataSize", null, null)).longValue();
                }
            }
        } catch (Exception e) {
            // not ZooKeeper, or its beans are not registered: unknown
        }
        return "SAMPLE " + heap.getUsed() + " " + heap.getMax() + " " + collections + " " + gcMillis + " " + nodes + " "
                + dataSize;
    }

    /** Allocated bytes and CPU time of the proxy's event-loop threads, and the whole process's CPU time. */
    private static String threads() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = 0;
        long cpu = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("zktp-io") || t.getName().startsWith("zktp-accept")) {
                long a = mx.getThreadAllocatedBytes(t.getId());
                long c = mx.getThreadCpuTime(t.getId());
                allocated += Math.max(0, a);
                cpu += Math.max(0, c);
            }
        }
        long processCpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return "THREADS " + allocated + " " + cpu + " " + processCpu + " " + wakeUps();
    }

    /** Voluntary context switches of the event-loop threads (each is a sleep in epoll_wait): Linux only, else 0. */
    private static long wakeUps() {
        long total = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    if (!comm.startsWith("zktp-io")) {
                        continue;
                    }
                    for (String l : Files.readAllLines(task.resolve("status"))) {
                        if (l.startsWith("voluntary_ctxt_switches:")) {
                            total += Long.parseLong(l.replaceAll("[^0-9]", ""));
                        }
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    private static void purge(Path dataDir) throws IOException {
        if (dataDir == null) {
            return;
        }
        List<Path> logDirs;
        try (Stream<Path> s = Files.walk(dataDir)) {
            logDirs = s.filter(p -> p.getFileName().toString().equals("version-2")).toList();
        }
        for (Path v2 : logDirs) {
            PurgeTxnLog.purge(v2.getParent().toFile(), v2.getParent().toFile(), 3);
        }
    }
}
