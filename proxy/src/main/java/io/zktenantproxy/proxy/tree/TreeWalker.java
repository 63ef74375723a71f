package io.zktenantproxy.proxy.tree;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Reads a subtree with ZooKeeper's asynchronous API, never blocking the caller: one {@code getChildren2} per node
 * (children and stat in one round trip), plus {@code getData} for returned nodes with data when data is asked for,
 * with at most {@value #WINDOW} requests in flight. Every node of the subtree is visited, for the totals; only nodes within
 * {@link TreeQuery#depth()} are returned.
 *
 * <p>Bounds: the walk fails with {@code TOO_LARGE} as soon as it has discovered more than
 * {@link TreeQuery#maxNodes()} nodes or would read more than {@link #MAX_DATA_BYTES} of data, and with
 * {@code TIMEOUT} after {@link TreeQuery#timeout()}; requests still in flight are then ignored. A node deleted during the walk is left out; a node the client may not list is shown with
 * its stat only (from {@code exists}, which needs no permission) and its totals marked partial.
 *
 * <p>Callbacks run on the ZooKeeper client's event thread; the state is guarded by the walk's monitor.
 */
final class TreeWalker {
    /** The most requests one walk keeps in flight. */
    static final int WINDOW = 128;
    /** The most data bytes one walk reads when data is asked for (ZooKeeper sends a node's data whole). */
    static final long MAX_DATA_BYTES = 16L * 1024 * 1024;

    private TreeWalker() {
    }

    /**
     * Starts walking.
     *
     * @param zk    a connected client; paths are read as they are, with no chroot of the client's own
     * @param query the subtree and its bounds
     * @return completes with the subtree's root, or fails with a {@link TreeException}
     */
    static CompletableFuture<TreeNode> walk(ZooKeeper zk, TreeQuery query) {
        Walk walk = new Walk(zk, query);
        walk.start();
        return walk.result;
    }

    /** A node being read; {@code children} is set only for returned (materialized) nodes. */
    private static final class Building {
        final String serverPath;
        final int level;
        final boolean materialized;
        final Building accumulator;
        Stat stat;
        byte[] data;
        boolean unreadable;
        boolean gone;
        List<Building> children;
        long beyondNodes;
        long beyondBytes;
        long beyondEphemerals;
        boolean partial;

        Building(String serverPath, int level, boolean materialized, Building accumulator) {
            this.serverPath = serverPath;
            this.level = level;
            this.materialized = materialized;
            this.accumulator = accumulator;
        }
    }

    private static final class Walk implements AsyncCallback.Children2Callback, AsyncCallback.DataCallback,
            AsyncCallback.StatCallback {
        final CompletableFuture<TreeNode> result = new CompletableFuture<>();
        private final ZooKeeper zk;
        private final TreeQuery query;
        private final ArrayDeque<Building> queue = new ArrayDeque<>();
        private final Building root;
        private int outstanding;
        private long discovered = 1;
        private long dataBudget = MAX_DATA_BYTES;

        Walk(ZooKeeper zk, TreeQuery query) {
            this.zk = zk;
            this.query = query;
            this.root = new Building(query.serverPath(), 0, true, null);
        }

        synchronized void start() {
            long ms = query.timeout().toMillis();
            CompletableFuture.delayedExecutor(Math.max(ms, 1), TimeUnit.MILLISECONDS).execute(() ->
                    fail(TreeException.Kind.TIMEOUT, "reading " + query.path() + " took longer than " + ms
                            + " ms (limit " + ms + " ms); ask for a smaller subtree"));
            queue.add(root);
            pump();
        }

        private synchronized void fail(TreeException.Kind kind, String message) {
            result.completeExceptionally(new TreeException(kind, message));
            queue.clear();
        }

        private void pump() {
            while (outstanding < WINDOW && !queue.isEmpty() && !result.isDone()) {
                Building node = queue.poll();
                outstanding++;
                zk.getChildren(node.serverPath, false, (AsyncCallback.Children2Callback) this, node);
            }
            if (outstanding == 0 && queue.isEmpty() && !result.isDone()) {
                result.complete(build(root));
            }
        }

        @Override
        public synchronized void processResult(int rc, String path, Object ctx, List<String> children, Stat stat) {
            Building node = arrived(ctx);
            if (node == null) {
                return;
            }
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK) {
                visited(node, stat);
                readData(node, stat);
                discover(node, children);
            } else if (code == KeeperException.Code.NOAUTH) {
                node.unreadable = true;
                outstanding++;
                zk.exists(node.serverPath, false, this, node);
            } else if (!missing(node, code)) {
                return;
            }
            pump();
        }

        @Override
        public synchronized void processResult(int rc, String path, Object ctx, Stat stat) {
            Building node = arrived(ctx);
            if (node == null) {
                return;
            }
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK && stat != null) {
                visited(node, stat);
                markPartial(node);
            } else if (!missing(node, code == KeeperException.Code.OK ? KeeperException.Code.NONODE : code)) {
                return;
            }
            pump();
        }

        @Override
        public synchronized void processResult(int rc, String path, Object ctx, byte[] data, Stat stat) {
            Building node = arrived(ctx);
            if (node == null) {
                return;
            }
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK) {
                node.data = data == null ? new byte[0] : data;
            } else if (code != KeeperException.Code.NOAUTH && code != KeeperException.Code.NONODE) {
                fail(TreeException.Kind.UPSTREAM_ERROR, "reading data of " + query.path() + ": " + code);
                return;
            }
            pump();
        }

        /** Counts a reply in; @return the node it is about, or null when the walk is already over */
        private Building arrived(Object ctx) {
            outstanding--;
            return result.isDone() ? null : (Building) ctx;
        }

        /** Handles NONODE (node deleted meanwhile) or fails the walk; @return whether the walk goes on */
        private boolean missing(Building node, KeeperException.Code code) {
            if (code == KeeperException.Code.NONODE && node != root) {
                node.gone = true;
                return true;
            }
            if (code == KeeperException.Code.NONODE) {
                fail(TreeException.Kind.NOT_FOUND, "no node " + query.path());
            } else if (code == KeeperException.Code.CONNECTIONLOSS || code == KeeperException.Code.SESSIONEXPIRED) {
                fail(TreeException.Kind.UNAVAILABLE, "lost the connection to the ensemble while reading "
                        + query.path());
            } else {
                fail(TreeException.Kind.UPSTREAM_ERROR, "reading " + query.path() + ": " + code);
            }
            return false;
        }

        private void visited(Building node, Stat stat) {
            node.stat = stat;
            if (!node.materialized) {
                Building acc = node.accumulator;
                acc.beyondNodes++;
                acc.beyondBytes += stat.getDataLength();
                acc.beyondEphemerals += stat.getEphemeralOwner() != 0 ? 1 : 0;
            }
        }

        /** Reads the data of a returned node that has some, within the walk's data budget. */
        private void readData(Building node, Stat stat) {
            if (!node.materialized || !query.data() || stat.getDataLength() == 0 || result.isDone()) {
                return;
            }
            dataBudget -= stat.getDataLength();
            if (dataBudget < 0) {
                fail(TreeException.Kind.TOO_LARGE, "more than " + MAX_DATA_BYTES + " bytes of data under "
                        + query.path() + " (limit " + MAX_DATA_BYTES + "); ask for fewer nodes or no data");
                return;
            }
            outstanding++;
            zk.getData(node.serverPath, false, this, node);
        }

        private void markPartial(Building node) {
            (node.materialized ? node : node.accumulator).partial = true;
        }

        private void discover(Building node, List<String> names) {
            if (result.isDone()) {
                return;
            }
            discovered += names.size();
            if (discovered > query.maxNodes()) {
                fail(TreeException.Kind.TOO_LARGE, "more than " + query.maxNodes() + " nodes under " + query.path()
                        + " (limit " + query.maxNodes() + "); ask for a smaller subtree");
                return;
            }
            List<String> sorted = new ArrayList<>(names);
            Collections.sort(sorted);
            boolean materialize = node.materialized && node.level < query.depth();
            if (node.materialized) {
                node.children = materialize ? new ArrayList<>(sorted.size()) : null;
            }
            Building accumulator = node.materialized ? node : node.accumulator;
            for (String name : sorted) {
                String child = node.serverPath.equals("/") ? "/" + name : node.serverPath + "/" + name;
                Building b = new Building(child, node.level + 1, materialize, accumulator);
                if (materialize) {
                    node.children.add(b);
                }
                queue.add(b);
            }
        }

        private TreeNode build(Building node) {
            long nodes = 1 + node.beyondNodes;
            long bytes = node.stat.getDataLength() + node.beyondBytes;
            long ephemerals = (node.stat.getEphemeralOwner() != 0 ? 1 : 0) + node.beyondEphemerals;
            boolean partial = node.partial;
            List<TreeNode> children = null;
            if (node.children != null) {
                children = new ArrayList<>(node.children.size());
                for (Building child : node.children) {
                    if (child.gone || child.stat == null) {
                        continue;
                    }
                    TreeNode built = build(child);
                    children.add(built);
                    nodes += built.subtree().nodes();
                    bytes += built.subtree().bytes();
                    ephemerals += built.subtree().ephemerals();
                    partial |= built.subtree().partial();
                }
            }
            String clientPath = query.chroot().strip(node.serverPath);
            String name = clientPath.equals("/") ? "/" : clientPath.substring(clientPath.lastIndexOf('/') + 1);
            NodeData data = node.data == null ? null : NodeData.of(node.data, query.dataMax());
            return new TreeNode(clientPath, name, NodeStat.of(node.stat), data, node.unreadable ? Boolean.TRUE : null,
                    new Subtree(nodes, bytes, ephemerals, partial), children);
        }
    }
}
