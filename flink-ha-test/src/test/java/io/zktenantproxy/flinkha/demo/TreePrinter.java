package io.zktenantproxy.flinkha.demo;

import io.zktenantproxy.flinkha.harness.UpstreamTree;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.data.Stat;

/**
 * Prints part of the upstream tree as an operator with a ZooKeeper client on the ensemble (authenticated as the
 * platform) sees it: one line per node, indented by depth, with its data size and, for ephemeral nodes, the owning
 * session.
 */
final class TreePrinter {
    private final UpstreamTree tree;
    private final PrintStream out;

    TreePrinter(UpstreamTree tree, PrintStream out) {
        this.tree = tree;
        this.out = out;
    }

    /** Prints {@code root} and everything below it. */
    void print(String root) throws Exception {
        List<String> paths = tree.paths(root);
        int base = depth(root);
        for (String path : paths) {
            Optional<Stat> stat = tree.stat(path);
            if (stat.isEmpty()) {
                continue; // gone since the walk
            }
            String name = path.equals(root) ? path : path.substring(path.lastIndexOf('/') + 1);
            StringBuilder line = new StringBuilder("  ".repeat(depth(path) - base)).append(name);
            if (stat.get().getDataLength() > 0) {
                line.append("  [").append(stat.get().getDataLength()).append(" B]");
            }
            if (stat.get().getEphemeralOwner() != 0) {
                line.append("  (ephemeral, session 0x").append(Long.toHexString(stat.get().getEphemeralOwner()))
                        .append(')');
            }
            out.println("    " + line);
        }
    }

    private static int depth(String path) {
        return path.equals("/") ? 0 : (int) path.chars().filter(c -> c == '/').count();
    }
}
