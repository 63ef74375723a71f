package io.zktenantproxy.proxy.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Issue 12's flood: a tenant ({@code flood}) creates 1 MiB znodes through the proxy as fast as its byte budget lets it,
 * into a ZooKeeper with a small heap, once with the proxy's quotas at their defaults and once with every quota off;
 * meanwhile a second tenant ({@code good}) of the same proxy reads a 128-byte znode, one request at a time. Prints,
 * per run, ZooKeeper's heap and data tree over time (sampled every second without a GC: {@link BenchServer}
 * {@code sample}), whether and when ZooKeeper ran out of memory (its log), what the flood achieved, and the second
 * tenant's latency before and during the flood.
 *
 * <p>Three processes, as for {@link LoadBench}: ZooKeeper and the proxy ({@link ChildProcess}, the proxy with its
 * default budgets: 10 000 requests/s and 32 MiB/s per tenant) and this load generator.
 *
 * <pre>
 * --quotas on,off     runs, each on a fresh ZooKeeper and proxy: on = the proxy's default quotas, off = all three 0
 * --zk-heap 1g        ZooKeeper's -Xmx
 * --baseline 10       seconds the second tenant reads alone before the flood
 * --seconds 60        length of the flood (it ends early if ZooKeeper's process is gone)
 * --writers 2x4       flood sessions x creates in flight in each
 * --size 1048576      data of each flood znode, bytes
 * --out FILE          also write the report to FILE
 * --logs DIR          where ZooKeeper's and the proxy's logs go (default target/bench-logs)
 * </pre>
 */
public final class FloodBench {
    private static final int QUOTA_EXCEEDED = KeeperException.Code.QUOTAEXCEEDED.intValue();
    private static final int SAMPLE_TIMEOUT_MS = 3_000;

    private FloodBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        System.setProperty("jute.maxbuffer", Integer.toString(LoadBench.JUTE_MAX_BUFFER));
        List<String> modes = List.of(args.get("quotas", "on,off").split(","));
        String zkHeap = args.get("zk-heap", "1g");
        int baseline = args.getInt("baseline", 10);
        int seconds = args.getInt("seconds", 60);
        String[] shape = args.get("writers", "2x4").split("x");
        int size = args.getInt("size", 1024 * 1024);
        Path logs = Path.of(args.get("logs", "target/bench-logs")).toAbsolutePath();
        Path work = Files.createTempDirectory("zktp-flood");
        StringBuilder report = new StringBuilder();
        LoadBench.log("load average before: " + BenchArgs.loadAverage() + "; ZooKeeper -Xmx" + zkHeap + "; flood "
                + shape[0] + " sessions x " + shape[1] + " creates of " + size + " B in flight; " + baseline
                + " s before, " + seconds + " s of flood");
        try {
            for (String mode : modes) {
                Run run = new Run(mode.equals("on"), zkHeap, Integer.parseInt(shape[0]), Integer.parseInt(shape[1]),
                        size, work.resolve("zk-" + mode), logs.resolve("flood-zk-" + mode + ".log"),
                        logs.resolve("flood-proxy-" + mode + ".log"));
                String text = run.execute(baseline, seconds);
                System.out.println();
                System.out.println(text);
                report.append(text).append('\n');
            }
        } finally {
            LoadBench.deleteTree(work);
        }
        String footer = "Load average after: " + BenchArgs.loadAverage() + "\n";
        System.out.println(footer);
        report.append(footer);
        args.saveReport(report);
        System.exit(0);
    }

    /** One run: a fresh ZooKeeper and proxy, the second tenant alone, then with the flood. */
    private static final class Run {
        private final boolean quotas;
        private final String zkHeap;
        private final int sessions;
        private final int inFlight;
        private final byte[] data;
        private final Path dir;
        private final Path zkLog;
        private final Path proxyLog;
        private final AtomicLong created = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private volatile int lastError;
        private volatile boolean flooding;
        private volatile boolean probing = true;
        private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
        /** Second tenant's latency and failures per second since the start; written by the probe thread only. */
        private final List<Histogram> probeSeconds = new ArrayList<>();
        private final List<Long> probeErrors = new ArrayList<>();

        Run(boolean quotas, String zkHeap, int sessions, int inFlight, int size, Path dir, Path zkLog, Path proxyLog) {
            this.quotas = quotas;
            this.zkHeap = zkHeap;
            this.sessions = sessions;
            this.inFlight = inFlight;
            this.data = new byte[size];
            this.dir = dir;
            this.zkLog = zkLog;
            this.proxyLog = proxyLog;
        }

        String execute(int baseline, int seconds) throws Exception {
            String limits = "maxFrameBytes: " + (LoadBench.JUTE_MAX_BUFFER + 1024) + (quotas ? "" : LoadBench.NO_QUOTA);
            StringBuilder timeline = new StringBuilder("| s | flood znodes created | refused (QUOTAEXCEEDED) | other "
                    + "errors | ZooKeeper heap used MiB | data tree MiB (znodes) | GC s so far | good p99 µs (this "
                    + "second) | good errors |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            long peakHeap = 0;
            int oomAt = -1;
            int unresponsiveAt = -1;
            int goneAt = -1;
            long heapMax = 0;
            ExecutorService sampler = Executors.newSingleThreadExecutor();
            List<ZooKeeper> writers = new ArrayList<>();
            Thread probe = null;
            ZooKeeper good = null;
            long floodStart = 0;
            int floodSeconds = 0;
            try (ChildProcess zk = ChildProcess.zooKeeper(dir, false, LoadBench.JUTE_MAX_BUFFER, zkLog,
                    "-Xmx" + zkHeap);
                 ChildProcess proxy = ChildProcess.proxy("127.0.0.1:" + zk.port(), List.of("flood", "good"), limits,
                         proxyLog, List.of(System.getProperty("flood.proxyJvm", "-Dflood.none=1").split(" ")))) {
                ZooKeeper admin = LoadBench.connect("127.0.0.1:" + zk.port());
                for (String p : List.of("/tenants", "/tenants/flood", "/tenants/flood/f", "/tenants/good",
                        "/tenants/good/probe")) {
                    LoadBench.ensure(admin, p);
                }
                admin.setData("/tenants/good/probe", new byte[128], -1);
                admin.close();
                good = LoadBench.connect("127.0.0.1:" + proxy.port(1));
                for (int i = 0; i < sessions; i++) {
                    writers.add(LoadBench.connect("127.0.0.1:" + proxy.port(0)));
                }
                ZooKeeper probeSession = good;
                long start = System.nanoTime();
                probe = new Thread(() -> probe(probeSession, start), "good-probe");
                probe.start();
                long logOffset = 0;
                for (int s = 0; s < baseline + seconds; s++) {
                    if (s == baseline) {
                        flooding = true;
                        floodStart = System.nanoTime();
                        for (int w = 0; w < writers.size(); w++) {
                            for (int k = 0; k < inFlight; k++) {
                                new Writer(writers.get(w), w + "-" + k + "-").issue();
                            }
                        }
                    }
                    long next = start + TimeUnit.SECONDS.toNanos(s + 1);
                    String heap = "–";
                    String tree = "–";
                    String gc = "–";
                    if (unresponsiveAt < 0 && goneAt < 0) {
                        Future<String> f = sampler.submit(() -> zk.command("sample"));
                        try {
                            String[] v = f.get(SAMPLE_TIMEOUT_MS, TimeUnit.MILLISECONDS).split(" ");
                            long used = Long.parseLong(v[1]);
                            heapMax = Long.parseLong(v[2]);
                            peakHeap = Math.max(peakHeap, used);
                            heap = mib(used);
                            gc = String.format("%.1f", Long.parseLong(v[4]) / 1000.0);
                            tree = mib(Long.parseLong(v[6])) + " (" + v[5] + ")";
                        } catch (TimeoutException e) {
                            unresponsiveAt = s;
                            heap = "no reply";
                        } catch (Exception e) {
                            goneAt = s;
                            heap = "gone";
                        }
                    }
                    if (goneAt < 0 && !ProcessHandle.of(zk.pid()).map(ProcessHandle::isAlive).orElse(false)) {
                        goneAt = s;
                    }
                    long[] offset = {logOffset};
                    if (oomAt < 0 && logMentions(zkLog, offset, "OutOfMemoryError")) {
                        oomAt = s;
                    }
                    logOffset = offset[0];
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                    Histogram h;
                    long errors;
                    synchronized (probeSeconds) {
                        h = s < probeSeconds.size() ? probeSeconds.get(s) : null;
                        errors = s < probeErrors.size() ? probeErrors.get(s) : 0;
                    }
                    timeline.append("| ").append(s - baseline).append(" | ").append(created.get()).append(" | ")
                            .append(refused.get()).append(" | ").append(failed.get()).append(" | ").append(heap)
                            .append(" | ").append(tree).append(" | ").append(gc).append(" | ")
                            .append(h == null || h.getTotalCount() == 0 ? "–"
                                    : String.format("%,.0f", h.getValueAtPercentile(99) / 1000.0))
                            .append(" | ").append(errors).append(" |\n");
                    LoadBench.log(String.format("  %s t=%+d s created %d refused %d errors %d heap %s tree %s gc %s s",
                            quotas ? "on" : "off", s - baseline, created.get(), refused.get(), failed.get(), heap,
                            tree, gc));
                    if (s >= baseline) {
                        floodSeconds = s - baseline + 1;
                    }
                    if (goneAt >= 0 && s > goneAt + 5) {
                        break;
                    }
                }
                flooding = false;
                probing = false; // before the servers close, so that their closing is not booked as failures
                probe.join(TimeUnit.SECONDS.toMillis(30));
                if (unresponsiveAt >= 0) {
                    // a ZooKeeper that stopped answering would not answer "quit" either
                    ProcessHandle.of(zk.pid()).ifPresent(ProcessHandle::destroyForcibly);
                }
            } finally {
                flooding = false;
                probing = false;
                if (probe != null) {
                    probe.join(TimeUnit.SECONDS.toMillis(30));
                }
                for (ZooKeeper w : writers) {
                    w.close(1_000);
                }
                if (good != null) {
                    good.close(1_000);
                }
                sampler.shutdownNow();
                retries.shutdownNow();
            }
            double floodElapsed = Math.max(1, (System.nanoTime() - floodStart) / 1e9);
            // the second tenant's figures in three phases: before the flood, during it while ZooKeeper is up (until the
            // second its OutOfMemoryError was logged in, if it was), and after that
            Histogram[] phases = {LoadBench.newHistogram(), LoadBench.newHistogram(), LoadBench.newHistogram()};
            long[] phaseErrors = new long[3];
            int down = oomAt >= 0 ? oomAt : goneAt >= 0 ? goneAt : Integer.MAX_VALUE;
            synchronized (probeSeconds) {
                for (int s = 0; s < Math.min(probeSeconds.size(), baseline + floodSeconds); s++) {
                    int phase = s < baseline ? 0 : s < down ? 1 : 2;
                    phases[phase].add(probeSeconds.get(s));
                    phaseErrors[phase] += probeErrors.get(s);
                }
            }
            StringBuilder sb = new StringBuilder();
            sb.append("quotas ").append(quotas ? "on (defaults: 10 000 znodes, 32 MiB, 10 000 watches per session)"
                    : "off (all three 0)").append("; ZooKeeper -Xmx").append(zkHeap).append(" (heap max ")
                    .append(mib(heapMax)).append(" MiB)\n\n");
            sb.append("| quotas | flood | znodes created | MiB created | refused | other errors (last) | ZooKeeper heap "
                    + "peak MiB (sampled) | OutOfMemoryError | ZooKeeper unresponsive / gone | good p50 / p99 / "
                    + "p99.9 µs before | good p50 / p99 / p99.9 µs during (ZooKeeper up) | good answered / failed: "
                    + "before, during (up), after the OutOfMemoryError |\n"
                    + "|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|\n");
            sb.append("| ").append(quotas ? "on" : "off").append(" | ").append(floodSeconds).append(" s | ")
                    .append(created.get()).append(" | ").append(created.get() * data.length / (1024 * 1024))
                    .append(" | ").append(refused.get()).append(" | ").append(failed.get())
                    .append(failed.get() > 0 ? " (" + KeeperException.Code.get(lastError) + ")" : "").append(" | ")
                    .append(mib(peakHeap)).append(" | ").append(oomAt < 0 ? "no" : "at +" + (oomAt - baseline) + " s")
                    .append(" | ").append(unresponsiveAt < 0 ? "no" : "+" + (unresponsiveAt - baseline) + " s")
                    .append(" / ").append(goneAt < 0 ? "no" : "+" + (goneAt - baseline) + " s").append(" | ")
                    .append(lat(phases[0])).append(" | ").append(lat(phases[1])).append(" | ");
            for (int i = 0; i < 3; i++) {
                sb.append(i == 0 ? "" : ", ").append(i == 2 && down == Integer.MAX_VALUE ? "–"
                        : String.format("%,d / %,d", phases[i].getTotalCount(), phaseErrors[i]));
            }
            sb.append(" |\n\n");
            sb.append(String.format("flood rate: %.1f znodes/s created over %.0f s%n%n", created.get() / floodElapsed,
                    floodElapsed));
            sb.append("timeline (s from the flood's start)\n\n").append(timeline);
            return sb.toString();
        }

        /** The second tenant: one getData at a time, its latency and failures booked by the second they ended in. */
        private void probe(ZooKeeper zk, long start) {
            while (probing) {
                long t0 = System.nanoTime();
                boolean ok;
                try {
                    zk.getData("/probe", false, null);
                    ok = true;
                } catch (KeeperException e) {
                    ok = false;
                } catch (InterruptedException e) {
                    return;
                }
                long t1 = System.nanoTime();
                int second = (int) TimeUnit.NANOSECONDS.toSeconds(t1 - start);
                synchronized (probeSeconds) {
                    while (probeSeconds.size() <= second) {
                        probeSeconds.add(LoadBench.newHistogram());
                        probeErrors.add(0L);
                    }
                    if (ok) {
                        probeSeconds.get(second).recordValue(Math.min(t1 - t0, TimeUnit.SECONDS.toNanos(59)));
                    } else {
                        probeErrors.set(second, probeErrors.get(second) + 1);
                    }
                }
                if (!ok) {
                    sleepQuietly(100);
                }
            }
        }

        /** One in-flight slot of a flood session: creates the next znode when the last one is answered. */
        private final class Writer implements AsyncCallback.StringCallback {
            private final ZooKeeper zk;
            private final String prefix;
            private long counter;

            Writer(ZooKeeper zk, String prefix) {
                this.zk = zk;
                this.prefix = prefix;
            }

            void issue() {
                if (flooding) {
                    zk.create("/f/" + prefix + counter++, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT,
                            this, null);
                }
            }

            @Override
            public void processResult(int rc, String path, Object ctx, String name) {
                if (rc == 0) {
                    created.incrementAndGet();
                } else if (rc == QUOTA_EXCEEDED) {
                    refused.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    lastError = rc;
                    // connection loss and the like: do not spin while the session is down
                    if (!retries.isShutdown()) {
                        retries.schedule(this::issue, 100, TimeUnit.MILLISECONDS);
                    }
                    return;
                }
                issue();
            }
        }
    }

    /** @return whether the part of {@code log} after {@code offset[0]} contains {@code text}; advances the offset */
    private static boolean logMentions(Path log, long[] offset, String text) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (length <= offset[0]) {
                return false;
            }
            byte[] bytes = new byte[(int) Math.min(length - offset[0], 64 * 1024 * 1024)];
            f.seek(offset[0]);
            f.readFully(bytes);
            offset[0] += bytes.length;
            return new String(bytes, StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static String lat(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "–";
        }
        return String.format("%,.0f / %,.0f / %,.0f", h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format("%,d", bytes / (1024 * 1024));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
