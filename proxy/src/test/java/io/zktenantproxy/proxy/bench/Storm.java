package io.zktenantproxy.proxy.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * The phases of one reconnect storm and its report: tenant b's load measured before the kill, the first replica
 * killed, sampling twice a second until every storm session has resumed or expired (or a deadline), b measured
 * again after, the sessions held past their timeout and counted, then markdown tables on standard output.
 * {@link ReconnectStormBench} sets the scene. One thread.
 */
final class Storm {
    private static final long SAMPLE_MS = 500;
    /** The listener's connections closed unread after waiting for a handshake slot ({@code HandshakeSlots}). */
    private static final String SHED = "zktp_listener_handshakes_shed_total";
    private static final int WARMUP_S = 5;

    private final StormSessions sessions;
    private final SteadyGetData steady;
    private final StormProbe probe;
    private final List<String> timeline = new ArrayList<>();
    private final List<StormProbe.Sample> all = new ArrayList<>();
    private StormProbe.Sample last;
    private long killNanos;

    private final Map<String, ProcessHandle> processes;

    /** @param processes the processes whose CPU time the report splits, by name (the bench itself among them) */
    Storm(StormSessions sessions, SteadyGetData steady, StormProbe probe, Map<String, ProcessHandle> processes) {
        this.sessions = sessions;
        this.steady = steady;
        this.probe = probe;
        this.processes = processes;
    }

    /** @return each process's CPU time so far (user and system), ns; 0 for one that has exited */
    private Map<String, Long> cpuNanos() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        processes.forEach((name, p) -> cpu.put(name,
                p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)));
        return cpu;
    }

    /**
     * @param doomed          the replica holding every session, killed with SIGKILL
     * @param settleDeadlineMs how long after the kill to wait for every session to resume or expire
     */
    void run(ChildProcess doomed, int beforeS, int afterS, int holdS, long settleDeadlineMs) throws Exception {
        sampleFor(TimeUnit.SECONDS.toMillis(WARMUP_S), () -> false);
        steady.phase();
        timeline.clear();
        StormProbe.Sample start = last;
        Map<String, Long> cpuBefore = cpuNanos();
        sampleFor(TimeUnit.SECONDS.toMillis(beforeS), () -> false);
        Histogram before = steady.phase();
        StormProbe.Sample atKill = last;

        Map<String, Long> cpuAtKill = cpuNanos();
        killNanos = doomed.kill();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settleDeadlineMs);
        int size = sessions.size();
        sampleFor(settleDeadlineMs, () -> sessions.settled() == size || System.nanoTime() > deadline);
        double settledS = (System.nanoTime() - killNanos) / 1e9;
        Map<String, Long> cpuSettled = cpuNanos();
        Histogram during = steady.phase();
        StormSessions.Outcome outcome = sessions.outcome(killNanos);
        List<StormProbe.Sample> storm = samplesSince(killNanos);
        StormProbe.Sample settled = last;

        sampleFor(TimeUnit.SECONDS.toMillis(afterS), () -> false);
        Histogram after = steady.phase();
        sampleFor(TimeUnit.SECONDS.toMillis(holdS), () -> false);
        StormSessions.Outcome held = sessions.outcome(killNanos);
        int alive = sessions.connected();

        print(outcome, settledS, held, alive, holdS);
        printAccepts(atKill, settled, storm);
        printCpu(cpuBefore, cpuAtKill, beforeS, cpuSettled, settledS, outcome.resumed());
        printEnsemble(start, atKill, settled, storm, settledS);
        System.out.println();
        System.out.println("Tenant b, getData through replica 1 (ms; open loop, " + steady.errors() + " errors):");
        System.out.println();
        System.out.println("| phase | requests | p50 | p99 | p99.9 | max |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        System.out.println(ReconnectStormBench.latencyRow("before the kill (" + beforeS + " s)", before));
        System.out.println(ReconnectStormBench.latencyRow(String.format(Locale.ROOT,
                "storm (kill to all settled, %.1f s)", settledS), during));
        System.out.println(ReconnectStormBench.latencyRow("after (" + afterS + " s)", after));
        System.out.println();
        System.out.println("Timeline (t from the kill, s; queue = connections in the listener's accept queue;"
                + " conns/sessions = tenant a's on the replica; pauses = accept-budget pauses so far;"
                + " b p99 in ms over the row's interval):");
        System.out.println();
        timeline.forEach(System.out::println);
    }

    /**
     * CPU time of each process from the kill until every session settled: cores busy before the kill and during the
     * storm, and per resumed session what the storm added over the rate before it (the pings of the sessions and
     * tenant b's load go on throughout).
     */
    private void printCpu(Map<String, Long> before, Map<String, Long> atKill, int beforeS, Map<String, Long> settled,
                          double settledS, int resumed) {
        System.out.println();
        System.out.printf(Locale.ROOT, "CPU from the kill until all settled (%.1f s, %d resumed; the killed replica"
                + " not counted):%n%n", settledS, resumed);
        System.out.println("| process | cores busy before the kill | during the storm | CPU s in the storm | ms per "
                + "resumed session, above the rate before |");
        System.out.println("|---|---:|---:|---:|---:|");
        double[] total = new double[3];
        for (Map.Entry<String, Long> e : atKill.entrySet()) {
            long storm = settled.getOrDefault(e.getKey(), 0L) - e.getValue();
            long quiet = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            double busyBefore = quiet / 1e9 / beforeS;
            double busyStorm = storm / 1e9 / settledS;
            total[0] += busyBefore;
            total[1] += busyStorm;
            total[2] += storm / 1e9;
            System.out.println(cpuRow(e.getKey(), busyBefore, busyStorm, storm / 1e9, settledS, resumed));
        }
        System.out.println(cpuRow("all", total[0], total[1], total[2], settledS, resumed));
    }

    private static String cpuRow(String name, double busyBefore, double busyStorm, double stormSeconds,
                                 double settledS, int resumed) {
        double added = (busyStorm - busyBefore) * settledS * 1000 / resumed;
        return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.1f | %.2f |", name, busyBefore, busyStorm,
                stormSeconds, resumed == 0 ? Double.NaN : added);
    }

    private List<StormProbe.Sample> samplesSince(long nanos) {
        return all.stream().filter(s -> s.atNanos() >= nanos).toList();
    }

    /** Samples every {@link #SAMPLE_MS} for {@code ms} or until {@code done}, a timeline row each. */
    private void sampleFor(long ms, BooleanSupplier done) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < end) {
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SAMPLE_MS);
            last = probe.sample();
            all.add(last);
            row(last, steady.tick());
            if (done.getAsBoolean()) {
                return;
            }
            long wait = TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime());
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
    }

    private void row(StormProbe.Sample s, Histogram b) {
        if (timeline.isEmpty()) {
            StringBuilder head = new StringBuilder("| t | settled |");
            StringBuilder rule = new StringBuilder("|---:|---:|");
            for (int i = 0; i < s.acceptQueue().length; i++) {
                head.append(" r").append(i + 1).append(" queue / conns / sessions / pauses |");
                rule.append("---:|");
            }
            head.append(" zk outstanding | zk connections | b requests | b p99 |");
            rule.append("---:|---:|---:|---:|");
            timeline.add(head.toString());
            timeline.add(rule.toString());
        }
        double t = killNanos == 0 ? Double.NaN : (s.atNanos() - killNanos) / 1e9;
        StringBuilder r = new StringBuilder(String.format(Locale.ROOT, "| %s | %d |",
                Double.isNaN(t) ? "before" : String.format(Locale.ROOT, "%.1f", t), killNanos == 0 ? 0
                        : sessions.settled()));
        for (int i = 0; i < s.acceptQueue().length; i++) {
            r.append(String.format(Locale.ROOT, " %d / %.0f / %.0f / %.0f |", s.acceptQueue()[i],
                    s.meter(i, "zktp_connections_active"), s.meter(i, "zktp_sessions_active"),
                    s.meter(i, "zktp_listener_paused_seconds_count")));
        }
        r.append(String.format(Locale.ROOT, " %d | %d | %d | %s |", s.zk("zk_outstanding_requests"),
                s.zk("zk_num_alive_connections"), b.getTotalCount(), ReconnectStormBench.ms(
                        b.getValueAtPercentile(99))));
        timeline.add(r.toString());
    }

    private void print(StormSessions.Outcome o, double settledS, StormSessions.Outcome held, int alive, int holdS) {
        System.out.println();
        System.out.println("| sessions | lost | resumed | expired | all settled after the kill | resume p50 | p99 | max"
                + " | attempts per session mean / max | connect timeouts | alive " + holdS + " s later"
                + " | expired by then |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        System.out.println(String.format(Locale.ROOT, "| %,d | %,d | %,d | %d | %.1f s | %,d ms | %,d ms | %,d ms"
                        + " | %.2f / %d | %d | %,d | %d |", o.sessions(), o.lost(), o.resumed(), o.expired(), settledS,
                o.resumeMillis().getValueAtPercentile(50), o.resumeMillis().getValueAtPercentile(99),
                o.resumeMillis().getMaxValue(), o.meanAttempts(), o.maxAttempts(), o.connectTimeouts(), alive,
                held.expired()));
        if (o.tls()) {
            // resume times include the TLS handshake; this tells how much of them it was, and whether any failed
            System.out.println();
            System.out.println(String.format(Locale.ROOT, "TLS: handshake of the resuming connection (TCP connected to"
                            + " handshake done) p50 %s / p99 %s / max %s ms; %d handshakes failed, %d of them by the"
                            + " client's handshake timeout (connectTimeout's give-ups are counted above, not here).",
                    ReconnectStormBench.ms(o.resumeHandshakeMicros().getValueAtPercentile(50) * 1000),
                    ReconnectStormBench.ms(o.resumeHandshakeMicros().getValueAtPercentile(99) * 1000),
                    ReconnectStormBench.ms(o.resumeHandshakeMicros().getMaxValue() * 1000), o.handshakeFailures(),
                    o.handshakeTimeouts()));
        }
    }

    private void printAccepts(StormProbe.Sample atKill, StormProbe.Sample settled, List<StormProbe.Sample> storm) {
        System.out.println();
        System.out.println(String.format(Locale.ROOT, "Accept budget (kill to all settled); the machine's"
                        + " ListenOverflows +%d, ListenDrops +%d:",
                settled.listenOverflows() - atKill.listenOverflows(), settled.listenDrops() - atKill.listenDrops()));
        System.out.println();
        System.out.println("| replica | accepted | peak accept queue | listener pauses | paused total | longest pause"
                + " | closed by reason | connections / sessions at the end |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|---:|");
        for (int i = 0; i < atKill.acceptQueue().length; i++) {
            int replica = i;
            TreeSet<String> reasons = new TreeSet<>(settled.meters().get(i).keySet());
            reasons.removeIf(k -> !k.startsWith("zktp_connections_closed_total/"));
            StringBuilder closed = new StringBuilder();
            double closes = 0;
            for (String k : reasons) {
                double d = settled.meter(i, k) - atKill.meter(i, k);
                closes += d;
                if (d > 0) {
                    closed.append(closed.length() == 0 ? "" : ", ").append(k.substring(k.indexOf('/') + 1))
                            .append(' ').append(String.format(Locale.ROOT, "%.0f", d));
                }
            }
            double shed = settled.meter(i, SHED) - atKill.meter(i, SHED);
            if (shed > 0) {
                closed.append(closed.length() == 0 ? "" : ", ").append("shed unread ")
                        .append(String.format(Locale.ROOT, "%.0f", shed));
            }
            double accepted = settled.meter(i, "zktp_connections_active") - atKill.meter(i, "zktp_connections_active")
                    + closes + shed;
            int peak = storm.stream().mapToInt(s -> s.acceptQueue()[replica]).max().orElse(0);
            System.out.println(String.format(Locale.ROOT, "| r%d | %,.0f | %d | %.0f | %.2f s | %.3f s | %s |"
                            + " %,.0f / %,.0f |", i + 1, accepted, peak,
                    delta(atKill, settled, i, "zktp_listener_paused_seconds_count"),
                    delta(atKill, settled, i, "zktp_listener_paused_seconds_sum"),
                    settled.meter(i, "zktp_listener_paused_seconds_max"), closed.length() == 0 ? "none" : closed,
                    settled.meter(i, "zktp_connections_active"), settled.meter(i, "zktp_sessions_active")));
        }
    }

    private void printEnsemble(StormProbe.Sample start, StormProbe.Sample atKill, StormProbe.Sample settled,
                               List<StormProbe.Sample> storm, double settledS) {
        long peakOutstanding = storm.stream().mapToLong(s -> s.zk("zk_outstanding_requests")).max().orElse(-1);
        long peakConnections = storm.stream().mapToLong(s -> s.zk("zk_num_alive_connections")).max().orElse(-1);
        long minConnections = storm.stream().mapToLong(s -> s.zk("zk_num_alive_connections")).filter(v -> v >= 0)
                .min().orElse(-1);
        long unanswered = storm.stream().filter(s -> s.mntr().isEmpty()).count();
        long packets = settled.zk("zk_packets_received") - atKill.zk("zk_packets_received");
        System.out.println();
        System.out.println("Ensemble (mntr twice a second; " + unanswered + " of " + storm.size()
                + " samples unanswered within 2 s):");
        System.out.println();
        System.out.println("| figure | before the kill | storm |");
        System.out.println("|---|---:|---:|");
        System.out.println("| alive connections | " + atKill.zk("zk_num_alive_connections") + " | " + minConnections
                + " min, " + peakConnections + " max |");
        System.out.println("| outstanding requests (peak) | " + atKill.zk("zk_outstanding_requests") + " | "
                + peakOutstanding + " |");
        System.out.println(String.format(Locale.ROOT, "| packets received per second | %.0f | %.0f |",
                (atKill.zk("zk_packets_received") - start.zk("zk_packets_received"))
                        / ((atKill.atNanos() - start.atNanos()) / 1e9), packets / settledS));
        System.out.println("| max latency since start, ms | " + atKill.zk("zk_max_latency") + " | "
                + settled.zk("zk_max_latency") + " |");
        System.out.println("| average latency since start, ms | " + atKill.mntr().get("zk_avg_latency") + " | "
                + settled.mntr().get("zk_avg_latency") + " |");
        System.out.println("| global sessions | " + atKill.zk("zk_global_sessions") + " | "
                + settled.zk("zk_global_sessions") + " |");
    }

    private static double delta(StormProbe.Sample a, StormProbe.Sample b, int replica, String meter) {
        return b.meter(replica, meter) - a.meter(replica, meter);
    }
}
