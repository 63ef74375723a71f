package io.zktenantproxy.proxy.flink;

import java.util.List;
import org.apache.zookeeper.data.Stat;

/**
 * One znode as a scan read it.
 *
 * @param path     the tenant path
 * @param stat     its stat
 * @param children its children's names, sorted, when the plan asked for them and they could be listed; else null
 * @param data     its data when the plan asked for it and it could be read; else null
 * @param problem  why something the plan asked for could not be read, one line; else null
 */
record Znode(String path, Stat stat, List<String> children, byte[] data, String problem) {

    /** @return whether the znode is ephemeral */
    boolean ephemeral() {
        return stat.getEphemeralOwner() != 0;
    }

    /** @return the owning session as {@code 0x...}, or null when not ephemeral */
    String session() {
        return ephemeral() ? "0x" + Long.toHexString(stat.getEphemeralOwner()) : null;
    }

    /** @return the child path of {@code name} */
    String child(String name) {
        return Snapshot.join(path, name);
    }
}
