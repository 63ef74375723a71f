package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Issue 7's sessions-scale run, extended by issue 19 to several targets: opens many idle sessions as one burst and
 * reports the time to connect them all, the session-establishment latency, and the memory of the process that holds
 * them: the proxy's heap (used after full GC, {@link BenchServer} {@code heap}) and the RSS per session of the middle
 * process (a proxy, HAProxy) or, direct, of ZooKeeper. ZooKeeper, HAProxy and the proxies run as processes of their
 * own, all started up front and idle but for the target measured; the sessions are {@link RawSession}s (handshake
 * and pings only) in this JVM.
 *
 * <p>Each target is warmed up first (200 sessions opened and closed: classes loaded, pools primed, so the baseline
 * holds all but the sessions). After a target's sessions are held, they are closed with {@code closeSession} and the
 * next target waits until the target's server side holds none of their sockets and ZooKeeper holds no more than
 * before ({@link Procfs#heldSockets}), so that nothing of one target is left in the next one's figures.
 *
 * <p>Each proxied session holds two sockets in the proxy (client and upstream), as in HAProxy, so the middle process
 * needs twice as many file descriptors as sessions, plus its own: check {@code ulimit -n}.
 *
 * <pre>
 * --sessions 10000   sessions to open per target
 * --window 500       handshakes in progress at once
 * --hold 20          seconds to keep them open (pinging) before measuring
 * --sync yes         zookeeper.forceSync
 * --timeout 30000    requested session timeout, ms (pings every third of it)
 * --targets proxy    comma-separated, measured in this order: direct (ZooKeeper itself), haproxy (a TCP relay,
 *                    {@link ByteRelay}), proxy (the proxy as started without a transport), or a transport of the
 *                    proxy (auto, io_uring, epoll, nio: a proxy started with -Dzktp.transport=T)
 * --repeat 1         times to measure every target, the order reversed every other time
 * </pre>
 */
public final class SessionsScale {
    static final String DIRECT = "direct";
    static final String HAPROXY = "haproxy";
    static final String PROXY = "proxy";
    private static final int WARM_UP_SESSIONS = 200;
    /** How long closed sessions may take to leave every server side before the run gives up. */
    private static final long GONE_WITHIN_NS = TimeUnit.SECONDS.toNanos(60);

    private SessionsScale() {
    }

    /**
     * A target: its name in the table, the port the sessions connect to, the process that holds them (ZooKeeper for
     * direct) and the JVM to ask for its heap (null for HAProxy).
     */
    private record Target(String name, String process, int port, long pid, ChildProcess jvm) {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        int sessions = args.getInt("sessions", 10_000);
        int window = args.getInt("window", 500);
        int hold = args.getInt("hold", 20);
        int timeoutMs = args.getInt("timeout", 30_000);
        int repeat = args.getInt("repeat", 1);
        boolean forceSync = args.get("sync", "yes").equals("yes");
        List<String> names = targetNames(args.get("targets", PROXY));
        Path work = Files.createTempDirectory("zktp-scale");
        Path logs = Path.of(args.get("logs", "target/bench-logs")).toAbsolutePath();
        String loadBefore = BenchArgs.loadAverage();
        LoadBench.log("load average before: " + loadBefore + "; " + sessions + " sessions, window " + window
                + ", forceSync=" + (forceSync ? "yes" : "no") + ", targets " + names + ", " + repeat + " time(s)");
        EventLoopGroup group = RawSession.group(2, "scale-client");
        List<AutoCloseable> started = new ArrayList<>();
        try (ChildProcess zk = ChildProcess.zooKeeper(work.resolve("zk"), forceSync, 1024 * 1024,
                logs.resolve("scale-zk.log"), "-Dzookeeper.maxCnxns=0")) {
            try {
                run(zk, names, sessions, window, hold, timeoutMs, repeat, group, work, logs, started);
            } finally {
                // the middle processes before ZooKeeper, as they were started after it
                for (int i = started.size() - 1; i >= 0; i--) {
                    started.get(i).close();
                }
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            LoadBench.deleteTree(work);
        }
        System.out.println("Load average (1/5/15 min) before: " + loadBefore + ", after: " + BenchArgs.loadAverage());
        System.exit(0);
    }

    /** Starts the targets' processes (into {@code started}), warms each up, measures them, prints the table. */
    private static void run(ChildProcess zk, List<String> names, int sessions, int window, int hold, int timeoutMs,
                            int repeat, EventLoopGroup group, Path work, Path logs, List<AutoCloseable> started)
            throws Exception {
        List<Target> targets = new ArrayList<>();
        for (String name : names) {
            targets.add(start(name, zk, sessions, work, logs, started));
        }
        Bootstrap bootstrap = RawSession.bootstrap(group);
        for (Target t : targets) {
            int zkBefore = Procfs.heldSockets(zk.port());
            ConcurrentLinkedQueue<RawSession> warm = new ConcurrentLinkedQueue<>();
            open(bootstrap, t.port(), WARM_UP_SESSIONS, window, timeoutMs, warm, null);
            closeAndAwaitGone(warm, t, zk.port(), zkBefore);
        }
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(r % 2 == 0 ? i : targets.size() - 1 - i);
                rows.add(measure(t, bootstrap, zk.port(), sessions, window, hold, timeoutMs));
            }
        }
        System.out.println();
        System.out.println("| target | process | sessions asked | connected | alive after hold | time to connect all "
                + "| connect p50 / p99 / max ms | RSS before | RSS after | RSS per session | heap before | heap after "
                + "| heap per session | threads |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static List<String> targetNames(String option) {
        List<String> out = new ArrayList<>();
        for (String t : option.split(",")) {
            boolean known = t.equals(DIRECT) || t.equals(HAPROXY) || t.equals(PROXY)
                    || LoadBench.TRANSPORTS.contains(t);
            if (!known || out.contains(t)) {
                throw new IllegalArgumentException("--targets " + option + " (expected: distinct values of direct, "
                        + "haproxy, proxy, " + String.join(", ", LoadBench.TRANSPORTS) + ", comma-separated)");
            }
            out.add(t);
        }
        return out;
    }

    /** Starts the middle process of target {@code name} (none for direct), adding it to {@code started}. */
    private static Target start(String name, ChildProcess zk, int sessions, Path work, Path logs,
                                List<AutoCloseable> started) throws Exception {
        if (name.equals(DIRECT)) {
            return new Target(DIRECT, "ZooKeeper", zk.port(), zk.pid(), zk);
        }
        if (name.equals(HAPROXY)) {
            ByteRelay relay = ByteRelay.haproxy(zk.port(), work.resolve("haproxy"), sessions + 1000);
            started.add(relay);
            return new Target("HAProxy", "HAProxy", relay.port(), relay.pid(), null);
        }
        boolean plain = name.equals(PROXY);
        ChildProcess proxy = ChildProcess.proxy("127.0.0.1:" + zk.port(), List.of("scale"),
                "maxConnectionsPerTenant: " + (sessions + 1000) + LoadBench.NO_BUDGET,
                logs.resolve(plain ? "scale-proxy.log" : "scale-proxy-" + name + ".log"),
                plain ? List.of() : List.of("-Dzktp.transport=" + name));
        started.add(proxy);
        return new Target(plain ? PROXY : LoadBench.TRANSPORT_PREFIX + name, "proxy", proxy.port(), proxy.pid(),
                proxy);
    }

    /** One target's burst, hold and memory, then its sessions closed and gone; returns its row of the table. */
    private static String measure(Target t, Bootstrap bootstrap, int zkPort, int sessions, int window, int hold,
                                  int timeoutMs) throws Exception {
        int zkBefore = Procfs.heldSockets(zkPort);
        long[] before = memory(t);
        LoadBench.log(String.format("%s before: RSS %.1f MiB, heap %s, %d threads", t.name(), mib(before[0]),
                heap(before[1]), before[2]));
        ConcurrentLinkedQueue<RawSession> open = new ConcurrentLinkedQueue<>();
        Histogram connect = LoadBench.newHistogram();
        long start = System.nanoTime();
        int failed = open(bootstrap, t.port(), sessions, window, timeoutMs, open, connect);
        double seconds = (System.nanoTime() - start) / 1e9;
        LoadBench.log(String.format("%s: connected %d sessions in %.2f s (%.0f/s), %d failed; connect p50 %.1f ms, "
                        + "p99 %.1f ms, max %.1f ms", t.name(), open.size(), seconds, open.size() / seconds, failed,
                ms(connect.getValueAtPercentile(50)), ms(connect.getValueAtPercentile(99)),
                ms(connect.getMaxValue())));
        Thread.sleep(TimeUnit.SECONDS.toMillis(hold)); // the hold is what is measured, not a wait for something
        long alive = open.stream().filter(RawSession::isActive).count();
        long[] after = memory(t);
        LoadBench.log(String.format("%s after %d s: %d alive; RSS %.1f MiB, heap %s, %d threads", t.name(), hold,
                alive, mib(after[0]), heap(after[1]), after[2]));
        int n = Math.max(1, open.size());
        closeAndAwaitGone(open, t, zkPort, zkBefore);
        return String.format("| %s | %s | %,d | %,d | %,d | %.2f s (%,.0f/s) | %.1f / %.1f / %.1f | %.1f MiB "
                        + "| %.1f MiB | %,.0f B | %s | %s | %s | %d |", t.name(), t.process(), sessions, open.size(), alive,
                seconds, open.size() / seconds, ms(connect.getValueAtPercentile(50)),
                ms(connect.getValueAtPercentile(99)), ms(connect.getMaxValue()), mib(before[0]), mib(after[0]),
                (after[0] - before[0]) / (double) n, heap(before[1]), heap(after[1]),
                t.jvm() == null ? "-" : String.format("%,.0f B", (after[1] - before[1]) / (double) n), after[2]);
    }

    /**
     * @return {RSS, heap used after full GC (-1 for HAProxy), threads} of the target's process; the RSS is read after
     *     the JVM's GC, and for every process the same way ({@link Procfs})
     */
    private static long[] memory(Target t) throws IOException {
        long heap = t.jvm() == null ? -1 : t.jvm().heap()[0];
        return new long[] {Procfs.rssBytes(t.pid()), heap, Procfs.threads(t.pid())};
    }

    /**
     * Ends every session with {@code closeSession} (so that ZooKeeper drops it now, not when it expires), then waits
     * until the target's server side holds none of the sessions' sockets and ZooKeeper no more than {@code zkBefore}.
     *
     * @throws TimeoutException if that takes over a minute
     */
    private static void closeAndAwaitGone(Collection<RawSession> sessions, Target t, int zkPort, int zkBefore)
            throws Exception {
        long deadline = System.nanoTime() + GONE_WITHIN_NS;
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (RawSession s : sessions) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            // closeSession touches the session's state: on its own event loop
            s.channel().eventLoop().execute(() -> s.closeSession().whenComplete((v, e) -> done.complete(null)));
            closed.add(done);
        }
        CompletableFuture.allOf(closed.toArray(new CompletableFuture[0]))
                .get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        boolean middle = t.port() != zkPort;
        while (true) {
            int atTarget = middle ? Procfs.heldSockets(t.port()) : 0;
            int atZk = Procfs.heldSockets(zkPort);
            if (atTarget == 0 && atZk <= zkBefore) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException(t.name() + ": after 60 s its server side still holds " + atTarget
                        + " sockets and ZooKeeper " + atZk + " (" + zkBefore + " before the sessions)");
            }
            Thread.sleep(50); // polling another process's sockets: there is nothing to be notified by
        }
    }

    /**
     * Opens {@code count} sessions, at most {@code window} handshakes at a time; returns how many failed. Each
     * session's establishment, from the start of its TCP connect to the server's ConnectResponse, goes to
     * {@code latencies} (nanoseconds) unless it is null.
     */
    static int open(Bootstrap bootstrap, int port, int count, int window, int timeoutMs,
                    ConcurrentLinkedQueue<RawSession> into, Histogram latencies) throws InterruptedException {
        Semaphore permits = new Semaphore(window);
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            long start = System.nanoTime();
            RawSession.open(bootstrap, "127.0.0.1", port, timeoutMs).whenComplete((s, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                } else {
                    if (latencies != null) {
                        // completions arrive on either event loop of the group
                        synchronized (latencies) {
                            latencies.recordValue(System.nanoTime() - start);
                        }
                    }
                    into.add(s);
                }
                permits.release();
            });
        }
        permits.acquire(window);
        return failed.get();
    }

    /** As {@link #open(Bootstrap, int, int, int, int, ConcurrentLinkedQueue, Histogram)} without latencies. */
    static int open(Bootstrap bootstrap, int port, int count, int window, int timeoutMs,
                    ConcurrentLinkedQueue<RawSession> into) throws InterruptedException {
        return open(bootstrap, port, count, window, timeoutMs, into, null);
    }

    private static String heap(long bytes) {
        return bytes < 0 ? "-" : String.format("%.1f MiB", mib(bytes));
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
