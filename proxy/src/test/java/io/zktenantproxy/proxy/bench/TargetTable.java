package io.zktenantproxy.proxy.bench;

import java.util.List;
import java.util.Map;

/**
 * A Markdown table of several proxies against direct, measured in the same rounds of {@link LoadBench} (e.g. the
 * OpenSSL and the JDK proxy of {@code --tls openssl-jdk}): one row per workload and proxy.
 */
final class TargetTable {
    private TargetTable() {
    }

    /**
     * @param names  the targets' names in the results
     * @param labels what each is called in the table
     */
    static String againstDirect(Map<LoadBench.Scenario, Map<String, LoadBench.Figures>> results, List<String> names,
                                List<String> labels) {
        StringBuilder sb = new StringBuilder("proxies against direct (medians; latency in µs)\n\n");
        sb.append("| workload | sessions × in flight | target | ops/s | /direct | /direct per round: median (min–max) "
                + "| p50 / p99 / p99.9 | proxy B/op | proxy loop CPU µs/op | proxy process CPU µs/op | errors |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<LoadBench.Scenario, Map<String, LoadBench.Figures>> e : results.entrySet()) {
            LoadBench.Figures d = e.getValue().get(LoadBench.DIRECT);
            double dOps = BenchArgs.median(d.opsPerSec);
            String head = "| " + e.getKey().kind().label() + " | " + e.getKey().shape() + " | ";
            sb.append(head).append("direct | ").append(BenchArgs.fmt(dOps)).append(" | 1 | - | ")
                    .append(LoadBench.lat(d)).append(" | - | - | - | ").append(d.errors).append(" |\n");
            for (int i = 0; i < names.size(); i++) {
                LoadBench.Figures p = e.getValue().get(names.get(i));
                double pOps = BenchArgs.median(p.opsPerSec);
                sb.append(head).append(labels.get(i)).append(" | ").append(BenchArgs.fmt(pOps)).append(" | ")
                        .append(String.format("%.3f", pOps / dOps)).append(" | ")
                        .append(LoadBench.perRound(p.opsPerSec, d.opsPerSec)).append(" | ")
                        .append(LoadBench.lat(p)).append(" | ")
                        .append(BenchArgs.fmt(BenchArgs.median(p.allocPerOp))).append(" | ")
                        .append(BenchArgs.fmt(BenchArgs.median(p.loopCpuPerOp))).append(" | ")
                        .append(BenchArgs.fmt(BenchArgs.median(p.processCpuPerOp))).append(" | ")
                        .append(p.errors).append(" |\n");
            }
        }
        return sb.toString();
    }
}
