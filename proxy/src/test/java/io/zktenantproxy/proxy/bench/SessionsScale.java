package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 7's sessions-scale run: opens many idle sessions through one proxy and reports the time to connect them all,
 * and the proxy's heap (used after full GC, {@link BenchServer} {@code heap}) and RSS per session. ZooKeeper and the
 * proxy run in JVMs of their own; the sessions are {@link RawSession}s (handshake and pings only) in this JVM.
 *
 * <p>Each proxied session holds two sockets in the proxy (client and upstream), so the proxy process needs twice as
 * many file descriptors as sessions, plus its own: check {@code ulimit -n}.
 *
 * <pre>
 * --sessions 10000   sessions to open
 * --window 500       handshakes in progress at once
 * --hold 20          seconds to keep them open (pinging) before measuring
 * --sync yes         zookeeper.forceSync
 * --timeout 30000    requested session timeout, ms (pings every third of it)
 * </pre>
 */
public final class SessionsScale {
    private SessionsScale() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        int sessions = args.getInt("sessions", 10_000);
        int window = args.getInt("window", 500);
        int hold = args.getInt("hold", 20);
        int timeoutMs = args.getInt("timeout", 30_000);
        boolean forceSync = args.get("sync", "yes").equals("yes");
        Path work = Files.createTempDirectory("zktp-scale");
        Path logs = Path.of(args.get("logs", "target/bench-logs")).toAbsolutePath();
        String loadBefore = BenchArgs.loadAverage();
        LoadBench.log("load average before: " + loadBefore + "; " + sessions + " sessions, window " + window
                + ", forceSync=" + (forceSync ? "yes" : "no"));
        EventLoopGroup group = RawSession.group(2, "scale-client");
        try (ChildProcess zk = ChildProcess.zooKeeper(work.resolve("zk"), forceSync, 1024 * 1024,
                logs.resolve("scale-zk.log"), "-Dzookeeper.maxCnxns=0");
             ChildProcess proxy = ChildProcess.proxy("127.0.0.1:" + zk.port(), List.of("scale"),
                     "maxConnectionsPerTenant: " + (sessions + 1000) + LoadBench.NO_BUDGET, logs.resolve("scale-proxy.log"), List.of())) {
            Bootstrap bootstrap = RawSession.bootstrap(group);
            // warm-up: classes loaded, pools and caches primed, so the baseline holds all but the sessions
            ConcurrentLinkedQueue<RawSession> warm = new ConcurrentLinkedQueue<>();
            open(bootstrap, proxy.port(), 200, window, timeoutMs, warm);
            warm.forEach(RawSession::close);
            Thread.sleep(2_000);
            long[] before = proxy.heap();
            LoadBench.log(String.format("proxy before: heap %.1f MiB, RSS %.1f MiB, %d threads", mib(before[0]),
                    mib(before[1]), before[2]));

            ConcurrentLinkedQueue<RawSession> open = new ConcurrentLinkedQueue<>();
            long start = System.nanoTime();
            int failed = open(bootstrap, proxy.port(), sessions, window, timeoutMs, open);
            double seconds = (System.nanoTime() - start) / 1e9;
            LoadBench.log(String.format("connected %d sessions in %.2f s (%.0f/s), %d failed", open.size(), seconds,
                    open.size() / seconds, failed));
            Thread.sleep(TimeUnit.SECONDS.toMillis(hold));
            long alive = open.stream().filter(RawSession::isActive).count();
            long[] after = proxy.heap();
            LoadBench.log(String.format("after %d s: %d alive; proxy heap %.1f MiB, RSS %.1f MiB, %d threads", hold,
                    alive, mib(after[0]), mib(after[1]), after[2]));
            int n = Math.max(1, open.size());
            String row = String.format("| %,d | %,d | %.1f s | %.1f MiB | %.1f MiB | %,.0f B | %.1f MiB | %.1f MiB "
                            + "| %,.0f B | %d |", sessions, alive, seconds, mib(before[0]), mib(after[0]),
                    (after[0] - before[0]) / (double) n, mib(before[1]), mib(after[1]),
                    (after[1] - before[1]) / (double) n, after[2]);
            System.out.println();
            System.out.println("| sessions asked | alive after hold | time to connect all | proxy heap before | "
                    + "heap after | heap per session | RSS before | RSS after | RSS per session | proxy threads |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            System.out.println(row);
            open.forEach(RawSession::close);
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            LoadBench.deleteTree(work);
        }
        System.out.println("Load average (1/5/15 min) before: " + loadBefore + ", after: " + BenchArgs.loadAverage());
        System.exit(0);
    }

    /** Opens {@code count} sessions, at most {@code window} handshakes at a time; returns how many failed. */
    static int open(Bootstrap bootstrap, int port, int count, int window, int timeoutMs,
                    ConcurrentLinkedQueue<RawSession> into) throws InterruptedException {
        Semaphore permits = new Semaphore(window);
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            RawSession.open(bootstrap, "127.0.0.1", port, timeoutMs).whenComplete((s, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                } else {
                    into.add(s);
                }
                permits.release();
            });
        }
        permits.acquire(window);
        return failed.get();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
