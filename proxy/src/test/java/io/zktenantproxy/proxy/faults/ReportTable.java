package io.zktenantproxy.proxy.faults;

import java.util.List;
import java.util.Map;

/** The check step's one table: the faults injected by kind, then one row per workload and tenant. */
final class ReportTable {
    private ReportTable() {
    }

    /**
     * @param seed the run's seed ({@code -Dfaults.seed} reproduces the schedule)
     * @param seconds how long faults were injected, in seconds
     * @return the report as printed: faults, then the ledger rows and their sums
     */
    static String render(long seed, double seconds, Map<Fault, Integer> injected, List<String> history,
                         List<Verdict> verdicts) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("Fault-injection run, seed %d (-Dfaults.seed=%d), %.0f s of faults%n", seed, seed,
                seconds));
        out.append(String.format("%nFaults injected%n"));
        int total = 0;
        for (Fault f : Fault.values()) {
            int n = injected.getOrDefault(f, 0);
            total += n;
            out.append(String.format("  %-34s %4d%n", f.description(), n));
        }
        out.append(String.format("  %-34s %4d%n", "total", total));
        out.append(String.format("%nLedgers%n"));
        String row = "  %-28s %-6s %8s %8s %5s %6s %6s %6s %6s  %s%n";
        out.append(String.format(row, "workload", "tenant", "acked", "unknown", "lost", "dupl.", "order", "mutex",
                "isol.", "note"));
        long[] sums = new long[7];
        for (Verdict v : verdicts) {
            out.append(String.format(row, v.workload(), v.tenant(), v.acked(), v.unknown(), v.lost(),
                    v.duplicated(), v.order(), v.mutex(), v.isolation(), v.note()));
            long[] cells = {v.acked(), v.unknown(), v.lost(), v.duplicated(), v.order(), v.mutex(), v.isolation()};
            for (int i = 0; i < sums.length; i++) {
                sums[i] += cells[i];
            }
        }
        out.append(String.format(row, "total", "", sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6],
                "lost, dupl., order, mutex and isol. must all be 0"));
        out.append(String.format("%nSchedule%n"));
        for (String line : history) {
            out.append("  ").append(line).append(System.lineSeparator());
        }
        return out.toString();
    }
}
