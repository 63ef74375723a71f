package io.zktenantproxy.proxy.adversarial;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.HexFormat;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * A snapshot of the ensemble's whole tree as seen directly on ZooKeeper, minus subtrees the attacker may change
 * (its own chroot) and ones that churn on their own ({@code /zookeeper}, the session markers): path to data, data
 * version, child version, ACL version, mzxid and ephemeral owner. Two snapshots equal means nothing else changed,
 * not even a write of the same bytes (mzxid) or a child created and deleted again (cversion).
 */
final class UpstreamTree {
    private UpstreamTree() {
    }

    static TreeMap<String, String> snapshot(ZooKeeper zk, String... excluded) throws Exception {
        Set<String> skip = new HashSet<>(List.of(excluded));
        skip.add("/zookeeper");
        skip.add("/zk-tenant-proxy/sessions");
        TreeMap<String, String> out = new TreeMap<>();
        walk(zk, "/", skip, out);
        return out;
    }

    private static void walk(ZooKeeper zk, String path, Set<String> skip, TreeMap<String, String> out)
            throws Exception {
        if (skip.contains(path)) {
            return;
        }
        Stat stat = new Stat();
        List<String> children;
        byte[] data;
        try {
            data = zk.getData(path, false, stat);
            children = zk.getChildren(path, false);
        } catch (KeeperException.NoNodeException e) {
            return; // deleted while walking: the next snapshot will not have it either
        }
        out.put(path, "data=" + (data == null ? "null" : HexFormat.of().formatHex(data)) + " version="
                + stat.getVersion() + " cversion=" + stat.getCversion() + " aversion=" + stat.getAversion()
                + " mzxid=" + stat.getMzxid() + " owner=" + Long.toHexString(stat.getEphemeralOwner()));
        for (String child : children) {
            walk(zk, path.equals("/") ? "/" + child : path + "/" + child, skip, out);
        }
    }
}
