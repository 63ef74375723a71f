package io.zktenantproxy.proxy.flink;

import java.util.List;
import org.apache.zookeeper.data.Stat;

/** Tells a {@link SnapshotReader} what to read, so that it reads Flink's znodes and little else. */
interface ReadPlan {

    /**
     * @param path the tenant path of a znode whose stat has arrived
     * @return whether to read its data and whether to list its children
     */
    Want want(String path, Stat stat);

    /**
     * @param path     the tenant path of a listed znode
     * @param children its children's names, sorted
     * @return the names among them to visit (read their stat, then ask {@link #want})
     */
    List<String> visit(String path, List<String> children);

    /** What to read of one znode beyond its stat. */
    record Want(boolean data, boolean children) {
        static final Want NOTHING = new Want(false, false);
        static final Want CHILDREN = new Want(false, true);
        static final Want DATA = new Want(true, false);
    }
}
