package io.zktenantproxy.proxy.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Markdown tables of {@link LoadBench} {@code --transports} (issue 19): every target of the rounds (direct,
 * HAProxy, one proxy per transport) against direct, and each proxy against HAProxy on the targets. The CPU
 * figures are the middle process's (the proxy's, HAProxy's) from {@code /proc}, over all rounds of the target.
 */
final class TransportTable {
    private static final String HAPROXY = "HAProxy";
    /** The bound on the proxy's CPU per request against HAProxy's. */
    private static final double CPU_TARGET = 1.5;

    private TransportTable() {
    }

    /**
     * One row per workload and target: throughput and its ratio to direct, latency and what it adds to direct's, the
     * middle process's CPU per op, that CPU against HAProxy's (if HAProxy was measured), its RSS after the rounds.
     *
     * @param proxies the proxies' target names, in the order of {@code --transports}
     */
    static String table(String sync, Map<LoadBench.Scenario, Map<String, LoadBench.Figures>> results,
                        List<String> proxies) {
        StringBuilder sb = new StringBuilder("forceSync=" + sync + ": direct, HAProxy and the proxy per transport "
                + "(medians of the rounds; latency in µs; middle-process CPU from /proc over all rounds)\n\n");
        sb.append("| workload | sessions × in flight | target | ops/s | /direct | p50 / p99 / p99.9 | added p50 / "
                + "p99 / p99.9 | middle CPU µs/op | CPU /HAProxy | middle RSS MiB | errors |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<LoadBench.Scenario, Map<String, LoadBench.Figures>> e : results.entrySet()) {
            Map<String, LoadBench.Figures> byName = e.getValue();
            LoadBench.Figures d = byName.get(LoadBench.DIRECT);
            LoadBench.Figures h = byName.get(LoadBench.RELAY);
            double dOps = BenchArgs.median(d.opsPerSec);
            String head = "| " + e.getKey().kind().label() + " | " + e.getKey().shape() + " | ";
            sb.append(head).append("direct | ").append(BenchArgs.fmt(dOps)).append(" | 1 | ")
                    .append(LoadBench.lat(d)).append(" | - | - | - | - | ").append(d.errors).append(" |\n");
            List<String> names = new ArrayList<>();
            if (h != null) {
                names.add(LoadBench.RELAY);
            }
            names.addAll(proxies);
            for (String name : names) {
                LoadBench.Figures f = byName.get(name);
                double ops = BenchArgs.median(f.opsPerSec);
                sb.append(head).append(label(name)).append(" | ").append(BenchArgs.fmt(ops)).append(" | ")
                        .append(String.format("%.3f", ops / dOps)).append(" | ")
                        .append(LoadBench.lat(f)).append(" | ").append(added(f, d)).append(" | ")
                        .append(BenchArgs.fmt(f.middleCpuPerOp())).append(" | ")
                        .append(h == null ? "-" : String.format("%.2f", f.middleCpuPerOp() / h.middleCpuPerOp()))
                        .append(" | ").append(String.format("%.1f", f.middleRss / (1024.0 * 1024.0))).append(" | ")
                        .append(f.errors).append(" |\n");
            }
        }
        return sb.toString();
    }

    /**
     * Each proxy against HAProxy, one row per check: for a workload of one session with one request in flight, the
     * p99 each adds to direct's; for the others, throughput; for every workload, the middle process's CPU per op,
     * whose ratio to HAProxy's the issue bounds at {@value #CPU_TARGET}. A proxy's cell is its value and, in
     * parentheses, that value ÷ HAProxy's.
     */
    static String againstRelay(Map<LoadBench.Scenario, Map<String, LoadBench.Figures>> results,
                               List<String> proxies) {
        StringBuilder sb = new StringBuilder("targets: each proxy against HAProxy (value, and ÷ HAProxy's in "
                + "parentheses; CPU target ≤ " + CPU_TARGET + ")\n\n| check | HAProxy |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (String p : proxies) {
            sb.append(' ').append(label(p)).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (Map.Entry<LoadBench.Scenario, Map<String, LoadBench.Figures>> e : results.entrySet()) {
            LoadBench.Scenario s = e.getKey();
            Map<String, LoadBench.Figures> byName = e.getValue();
            LoadBench.Figures d = byName.get(LoadBench.DIRECT);
            LoadBench.Figures h = byName.get(LoadBench.RELAY);
            String workload = s.kind().label() + " " + s.shape();
            if (s.sessions() == 1 && s.inFlight() == 1) {
                double dP99 = BenchArgs.median(d.p99);
                double hAdded = BenchArgs.median(h.p99) - dP99;
                sb.append("| ").append(workload).append(": added p99 µs | ").append(BenchArgs.fmt(hAdded)).append(" |");
                for (String p : proxies) {
                    double added = BenchArgs.median(byName.get(p).p99) - dP99;
                    sb.append(' ').append(cell(added, hAdded)).append(" |");
                }
            } else {
                double hOps = BenchArgs.median(h.opsPerSec);
                sb.append("| ").append(workload).append(": ops/s | ").append(BenchArgs.fmt(hOps)).append(" |");
                for (String p : proxies) {
                    sb.append(' ').append(cell(BenchArgs.median(byName.get(p).opsPerSec), hOps)).append(" |");
                }
            }
            sb.append("\n| ").append(workload).append(": middle CPU µs/op | ")
                    .append(BenchArgs.fmt(h.middleCpuPerOp())).append(" |");
            for (String p : proxies) {
                sb.append(' ').append(cell(byName.get(p).middleCpuPerOp(), h.middleCpuPerOp())).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String cell(double value, double haproxy) {
        return BenchArgs.fmt(value) + " (" + String.format("%.2f", value / haproxy) + ")";
    }

    private static String added(LoadBench.Figures via, LoadBench.Figures direct) {
        return BenchArgs.fmt(BenchArgs.median(via.p50) - BenchArgs.median(direct.p50)) + " / "
                + BenchArgs.fmt(BenchArgs.median(via.p99) - BenchArgs.median(direct.p99)) + " / "
                + BenchArgs.fmt(BenchArgs.median(via.p999) - BenchArgs.median(direct.p999));
    }

    private static String label(String name) {
        return name.equals(LoadBench.RELAY) ? HAPROXY : name;
    }
}
