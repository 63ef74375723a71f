package io.zktenantproxy.proxy.it;

import java.util.List;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.ACL;

/**
 * The ZooKeeper API as a cross-check scenario uses it, one method per operation, as zetcd's {@code xchk} puts one
 * interface in front of every target. Each method runs the operation on one session and answers its outcome as a
 * normalised, printable string: what a tenant can rely on (codes, paths, data, sorted children, stat versions and
 * counts, watch events), without what always differs between two runs (times, zxids, session ids).
 */
interface ZkOps {
    String create(String path, String data, CreateMode mode);

    /** create2: the create that answers the new node's Stat. */
    String create2(String path, String data, CreateMode mode);

    /** createTTL ({@code mode} one of the TTL modes). */
    String createTtl(String path, String data, CreateMode mode, long ttlMs);

    String delete(String path, int version);

    String exists(String path, boolean watch);

    String getData(String path, boolean watch);

    String setData(String path, String data, int version);

    String getChildren(String path, boolean watch);

    /** getChildren2: children and the parent's Stat. */
    String getChildren2(String path, boolean watch);

    String getAllChildrenNumber(String path);

    /** @param prefix null for the no-prefix form */
    String getEphemerals(String prefix);

    String sync(String path);

    /** multi, or multiRead when every op is a read (the client picks). */
    String multi(List<Op> ops);

    String getAcl(String path);

    String setAcl(String path, List<ACL> acl, int version);

    String addWatch(String path, AddWatchMode mode);

    /** removeWatches for this session's own watcher (opcode checkWatches). */
    String removeWatches(String path, Watcher.WatcherType type);

    /** removeAllWatches (opcode removeWatches). */
    String removeAllWatches(String path, Watcher.WatcherType type);

    String whoAmI();

    /** The watch events delivered since the last call, in order (see {@link Events#drain}). */
    String events();
}
