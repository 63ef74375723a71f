package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.tree.TreeNode;
import java.io.PrintWriter;

/**
 * Prints a {@link TreeNode} as an indented list, two spaces a level:
 *
 * <pre>
 * /  0 B; subtree 9 nodes, 52 B, 1 ephemeral
 *   flink  0 B; subtree 8 nodes, 52 B, 1 ephemeral
 *     ...
 *         _c_5d0e-latch-0000000000  10 B  [ephemeral 0x1000003e8a40000]
 *       jobs  0 B  (2 children not shown)
 * </pre>
 */
final class TreePrinter {
    /** Data bytes {@code tree --data} shows per node. */
    static final int DATA_PREVIEW = 64;

    private TreePrinter() {
    }

    /** @return e.g. {@code "9 nodes, 52 B, 1 ephemeral"} */
    static String totals(TreeNode node) {
        return node.subtree().nodes() + " nodes, " + bytes(node.subtree().bytes()) + ", "
                + node.subtree().ephemerals() + " ephemeral" + (node.subtree().partial() ? " (partial: no read access"
                + " somewhere)" : "");
    }

    static void print(TreeNode root, PrintWriter out) {
        print(root, 0, out);
    }

    private static void print(TreeNode node, int level, PrintWriter out) {
        StringBuilder line = new StringBuilder();
        line.append("  ".repeat(level)).append(node.name()).append("  ").append(bytes(node.stat().dataLength()));
        if (node.stat().numChildren() > 0) {
            line.append("; subtree ").append(totals(node));
        }
        if (node.stat().ephemeralOwner() != null) {
            line.append("  [ephemeral ").append(node.stat().ephemeralOwner()).append(']');
        }
        if (Boolean.TRUE.equals(node.unreadable())) {
            line.append("  [no read access]");
        }
        if (node.children() == null && node.stat().numChildren() > 0) {
            line.append("  (").append(node.stat().numChildren()).append(" children not shown)");
        }
        if (node.data() != null && node.data().length() > 0) {
            line.append("  = ").append(node.data().encoding().equals("utf8") ? quote(node.data().value())
                    : "base64:" + node.data().value()).append(node.data().truncated() ? "…" : "");
        }
        out.println(line);
        if (node.children() != null) {
            for (TreeNode child : node.children()) {
                print(child, level + 1, out);
            }
        }
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
                .replace("\"", "\\\"") + '"';
    }

    /** @return {@code n} bytes, e.g. {@code 52 B}, {@code 1.5 KiB} */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }
}
