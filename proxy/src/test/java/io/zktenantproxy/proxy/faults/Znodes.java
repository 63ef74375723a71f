package io.zktenantproxy.proxy.faults;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/** Reads and set-up writes of the workloads, done while no fault runs (so without retries). */
final class Znodes {
    private Znodes() {
    }

    /** Creates every missing parent of {@code path} (not {@code path} itself), persistent and open. */
    static void createParents(ZooKeeper zk, String path) throws KeeperException, InterruptedException {
        int slash = 0;
        while ((slash = path.indexOf('/', slash + 1)) > 0) {
            create(zk, path.substring(0, slash), "");
        }
    }

    /** Creates {@code path} holding {@code data} unless it exists. */
    static void create(ZooKeeper zk, String path, String data) throws KeeperException, InterruptedException {
        try {
            zk.create(path, data.getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } catch (KeeperException.NodeExistsException exists) {
            // made by another client of the workload, or by an earlier attempt
        }
    }

    /** @return path to data (UTF-8) of every child of {@code parent}, after a {@code sync} of it */
    static Map<String, String> childrenData(ZooKeeper zk, String parent) throws KeeperException,
            InterruptedException {
        sync(zk, parent);
        Map<String, String> data = new HashMap<>();
        for (String child : zk.getChildren(parent, false)) {
            String path = parent + "/" + child;
            try {
                data.put(path, new String(zk.getData(path, false, null), StandardCharsets.UTF_8));
            } catch (KeeperException.NoNodeException gone) {
                // an ephemeral whose session ended meanwhile
            }
        }
        return data;
    }

    /** Makes the server this session is connected to catch up with the leader on {@code path}. */
    static void sync(ZooKeeper zk, String path) throws KeeperException, InterruptedException {
        java.util.concurrent.CompletableFuture<Integer> done = new java.util.concurrent.CompletableFuture<>();
        zk.sync(path, (rc, p, ctx) -> done.complete(rc), null);
        int rc;
        try {
            rc = done.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("sync of " + path + " not answered in 60 s", e);
        }
        if (rc != 0) {
            throw KeeperException.create(KeeperException.Code.get(rc), path);
        }
    }
}
