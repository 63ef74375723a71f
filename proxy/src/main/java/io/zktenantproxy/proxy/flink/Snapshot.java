package io.zktenantproxy.proxy.flink;

import java.util.List;
import java.util.Map;

/**
 * What one scan read: the znodes by tenant path, how many it discovered, and why it stopped early, if it did.
 *
 * @param nodes      the znodes read, by tenant path (a znode deleted during the scan is absent)
 * @param discovered znodes discovered (listed names, plus the root)
 * @param incomplete why the scan stopped before reading all it meant to; null when it did not
 */
record Snapshot(Map<String, Znode> nodes, long discovered, String incomplete) {

    /** @return the znode at {@code path}, or null if it was not read */
    Znode get(String path) {
        return nodes.get(path);
    }

    /** @return the znodes read among {@code parent}'s children, in name order; empty if it was not listed */
    List<Znode> children(Znode parent) {
        if (parent == null || parent.children() == null) {
            return List.of();
        }
        return parent.children().stream().map(name -> nodes.get(parent.child(name)))
                .filter(java.util.Objects::nonNull).toList();
    }

    /** @return {@code parent/name}, with no double slash under the root */
    static String join(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }
}
