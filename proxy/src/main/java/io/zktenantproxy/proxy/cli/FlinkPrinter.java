package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.flink.CheckpointPointer;
import io.zktenantproxy.proxy.flink.ComponentLeader;
import io.zktenantproxy.proxy.flink.FlinkCluster;
import io.zktenantproxy.proxy.flink.FlinkJob;
import io.zktenantproxy.proxy.flink.FlinkView;
import io.zktenantproxy.proxy.flink.HaLock;
import io.zktenantproxy.proxy.flink.LeaderInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Prints one tenant's {@link FlinkView} as tables, a cluster at a time:
 *
 * <pre>
 * tenant acme (chroot /tenants/acme): 2 clusters, 1 orphaned
 *   cluster /flink/fraud  layout FLINK_2_3  leader present: yes
 *     COMPONENT         ADDRESS                                 SESSION                               SINCE ...
 *     dispatcher        pekko.tcp://flink@10.0.0.7:6123/...     1b4e28ba-2fa1-11d2-883f-0016d3cca427  2025-...
 *     JOB                               CHECKPOINT  COUNTER  AGE    LOCKS
 *     4f1c3a5e9b2d4c6e8a0b1c2d3e4f5a6b  7           8        12s    0x1000003e8a40000 (contender)
 *   cluster /flink/old  layout FLINK_1_15  leader present: no  ORPHANED (dormant since 2025-...)
 * </pre>
 *
 * Leader information that could not be read shows as {@code unreadable (reason)}; {@code -} marks a value that is
 * absent. Times are UTC to the second; ages are measured from the scan's start.
 */
final class FlinkPrinter {
    private static final String COMPONENT_ROW = "    %-34s %-56s %-36s %-20s %s%n";
    private static final String JOB_ROW = "    %-34s %-11s %-8s %-8s %s%n";

    private FlinkPrinter() {
    }

    static void print(String tenant, String chroot, FlinkView view, PrintWriter out) {
        long orphaned = view.clusters().stream().filter(FlinkCluster::orphaned).count();
        out.println("tenant " + tenant + " (chroot " + chroot + "): " + view.clusters().size() + " cluster"
                + (view.clusters().size() == 1 ? "" : "s") + ", " + orphaned + " orphaned"
                + (view.complete() ? "" : "  (incomplete: " + view.incomplete() + ")"));
        for (FlinkCluster c : view.clusters()) {
            cluster(c, view.scannedAt(), out);
        }
    }

    private static void cluster(FlinkCluster c, long now, PrintWriter out) {
        out.println("  cluster " + c.path() + "  layout " + c.layout() + "  leader present: "
                + (c.leaderPresent() ? "yes" : "no")
                + (c.orphaned() ? "  ORPHANED (dormant since " + time(c.dormantSince()) + ")" : ""));
        if (!c.leaders().isEmpty()) {
            out.printf(COMPONENT_ROW, "COMPONENT", "ADDRESS", "SESSION", "SINCE", "CONTENDERS");
            for (ComponentLeader l : c.leaders()) {
                out.printf(COMPONENT_ROW, l.jobId() == null ? l.component() : l.component() + " " + l.jobId(),
                        address(l), l.info() == null || l.info().sessionId() == null ? "-" : l.info().sessionId(),
                        time(l.since()), l.latch() == null ? "-" : String.valueOf(l.latch().contenders()));
            }
        }
        if (!c.jobs().isEmpty()) {
            out.printf(JOB_ROW, "JOB", "CHECKPOINT", "COUNTER", "AGE", "LOCKS");
            for (FlinkJob j : c.jobs()) {
                CheckpointPointer newest = j.newestCheckpoint();
                Long age = j.checkpointAgeSeconds(now);
                out.printf(JOB_ROW, j.jobId(), newest == null ? "-" : String.valueOf(newest.id()),
                        j.counter() != null ? String.valueOf(j.counter())
                                : j.counterProblem() != null ? "unreadable (" + j.counterProblem() + ")" : "-",
                        age == null ? "-" : age + "s", newest == null ? "-" : locks(newest.locks()));
            }
        }
        if (!c.raw().isEmpty()) {
            out.println("    not interpreted: " + String.join(", ", c.raw()));
        }
        c.problems().forEach(p -> out.println("    problem: " + p));
    }

    /** @return the leader's address, {@code unreadable (reason)}, or {@code -} when there is no leader znode */
    private static String address(ComponentLeader l) {
        if (l.problem() != null) {
            return "unreadable (" + l.problem() + ")";
        }
        LeaderInfo info = l.info();
        if (info == null) {
            return "-";
        }
        return switch (info.status()) {
            case KNOWN -> info.address();
            case EMPTY -> "(cleared)";
            case UNREADABLE -> "unreadable (" + info.reason() + ")";
        };
    }

    /** @return each lock's session, marked when it is a contender of the cluster's latch; {@code -} for none */
    private static String locks(List<HaLock> locks) {
        if (locks.isEmpty()) {
            return "-";
        }
        return locks.stream().map(l -> (l.session() == null ? "persistent " + l.name() : l.session())
                + (l.contender() ? " (contender)" : "")).collect(Collectors.joining(", "));
    }

    private static String time(Long millis) {
        return millis == null ? "-" : Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
