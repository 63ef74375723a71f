package io.zktenantproxy.proxy.flink;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.tree.TreeException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Reads the znodes a {@link ReadPlan} asks for under a tenant's chroot with ZooKeeper's asynchronous API, breadth
 * first from the tenant's root, never blocking the caller, with at most {@value #WINDOW} requests in flight. Per
 * znode: {@code exists} first (the stat says how large its data and how many its children are), then {@code getData}
 * and {@code getChildren} only when the plan wants them and they are within bounds, so no single reply can be large:
 * data over {@link LeaderInfoParser#MAX_INPUT} bytes or more than {@code maxChildren} children become a problem of
 * that znode instead of a read. (A tenant racing to grow a znode between the two reads can still make one reply
 * large; ZooKeeper's {@code jute.maxbuffer} bounds it.)
 *
 * <p>Bounds: once more than {@code maxNodes} znodes are discovered, or {@value #MAX_DATA_BYTES} bytes of data read, no
 * further listing or read is started and the snapshot is marked incomplete; after {@code timeout} the snapshot is
 * completed at once with what has arrived, marked incomplete, and later replies are ignored. A lost connection fails
 * the read ({@code UNAVAILABLE}): a view built from a half-read tree would report leaders missing that are not.
 *
 * <p>Every server path is built by {@link TenantChroot#prepend} from the tenant's root and names ZooKeeper listed, so
 * nothing outside the chroot is ever read; data is never followed as a path.
 *
 * <p>Callbacks run on the ZooKeeper client's event thread; the state is guarded by the read's monitor.
 */
final class SnapshotReader {
    /** The most requests one scan keeps in flight. */
    static final int WINDOW = 64;
    /** The most data bytes one scan reads. */
    static final long MAX_DATA_BYTES = 4L * 1024 * 1024;

    private SnapshotReader() {
    }

    /**
     * Starts reading.
     *
     * @return completes with the snapshot (incomplete past a bound or after a read error other than NONODE), or fails
     *         with a {@link TreeException} {@code UNAVAILABLE} on a lost connection
     */
    static CompletableFuture<Snapshot> read(ZooKeeper zk, TenantChroot chroot, ReadPlan plan, int maxNodes,
                                            int maxChildren, long timeoutMillis) {
        Read read = new Read(zk, chroot, plan, maxNodes, maxChildren, timeoutMillis);
        read.start();
        return read.result;
    }

    /** A znode being read. */
    private static final class Node {
        final String path;
        Stat stat;
        List<String> children;
        byte[] data;
        String problem;

        Node(String path) {
            this.path = path;
        }
    }

    private static final class Read implements AsyncCallback.StatCallback, AsyncCallback.DataCallback,
            AsyncCallback.ChildrenCallback {
        final CompletableFuture<Snapshot> result = new CompletableFuture<>();
        private final ZooKeeper zk;
        private final TenantChroot chroot;
        private final ReadPlan plan;
        private final int maxNodes;
        private final int maxChildren;
        private final long timeoutMillis;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private final Map<String, Node> nodes = new LinkedHashMap<>();
        private int outstanding;
        private long discovered = 1;
        private long dataBudget = MAX_DATA_BYTES;
        private String incomplete;

        Read(ZooKeeper zk, TenantChroot chroot, ReadPlan plan, int maxNodes, int maxChildren, long timeoutMillis) {
            this.zk = zk;
            this.chroot = chroot;
            this.plan = plan;
            this.maxNodes = maxNodes;
            this.maxChildren = maxChildren;
            this.timeoutMillis = timeoutMillis;
        }

        synchronized void start() {
            CompletableFuture.delayedExecutor(Math.max(timeoutMillis, 1), TimeUnit.MILLISECONDS)
                    .execute(this::timedOut);
            visit("/");
            pump();
        }

        private synchronized void timedOut() {
            if (!result.isDone()) {
                stop("took longer than " + timeoutMillis + " ms (limit " + timeoutMillis + " ms)");
                finish();
            }
        }

        /** Stops starting requests; the first reason wins. */
        private void stop(String reason) {
            if (incomplete == null) {
                incomplete = reason;
            }
            queue.clear();
        }

        private void visit(String path) {
            Node node = new Node(path);
            nodes.put(path, node);
            queue.add(() -> zk.exists(chroot.prepend(path), false, this, node));
        }

        private void pump() {
            while (outstanding < WINDOW && !queue.isEmpty() && !result.isDone()) {
                outstanding++;
                queue.poll().run();
            }
            if (outstanding == 0 && queue.isEmpty()) {
                finish();
            }
        }

        private void finish() {
            if (result.isDone()) {
                return;
            }
            Map<String, Znode> done = new LinkedHashMap<>();
            nodes.values().stream().filter(n -> n.stat != null).forEach(n -> done.put(n.path,
                    new Znode(n.path, n.stat, n.children, n.data, n.problem)));
            result.complete(new Snapshot(Collections.unmodifiableMap(done), discovered, incomplete));
        }

        /** Counts a reply in; @return the node it is about, or null when the read is over */
        private Node arrived(Object ctx) {
            outstanding--;
            return result.isDone() ? null : (Node) ctx;
        }

        /** @return whether the read goes on after {@code code} for {@code node} */
        private boolean handled(Node node, KeeperException.Code code, String what) {
            if (code == KeeperException.Code.CONNECTIONLOSS || code == KeeperException.Code.SESSIONEXPIRED
                    || code == KeeperException.Code.SESSIONMOVED) {
                result.completeExceptionally(new TreeException(TreeException.Kind.UNAVAILABLE,
                        "lost the connection to the ensemble while reading " + node.path));
                return false;
            }
            if (code == KeeperException.Code.NONODE) {
                if (node.stat == null) {
                    nodes.remove(node.path);
                }
                return true;
            }
            node.problem = what + ": " + (code == KeeperException.Code.NOAUTH ? "no permission" : code.name());
            // incomplete, not empty: the meters and the orphan memory must not take an unreadable cluster for gone
            if (incomplete == null) {
                incomplete = "reading " + what + " failed (" + code.name() + "), so some znodes are missing";
            }
            return true;
        }

        @Override
        public synchronized void processResult(int rc, String path, Object ctx, Stat stat) {
            Node node = arrived(ctx);
            if (node == null) {
                return;
            }
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK && stat != null) {
                node.stat = stat;
                readMore(node, plan.want(node.path, stat));
            } else if (!handled(node, code == KeeperException.Code.OK ? KeeperException.Code.NONODE : code,
                    "stat")) {
                return;
            }
            pump();
        }

        private void readMore(Node node, ReadPlan.Want want) {
            String server = chroot.prepend(node.path);
            if (want.data() && node.stat.getDataLength() > 0) {
                int length = node.stat.getDataLength();
                if (length > LeaderInfoParser.MAX_INPUT) {
                    node.problem = "data length: " + length + " (expected: <= " + LeaderInfoParser.MAX_INPUT + ")";
                } else if ((dataBudget -= length) < 0) {
                    stop("more than " + MAX_DATA_BYTES + " bytes of data (limit " + MAX_DATA_BYTES + ")");
                } else {
                    queue.add(() -> zk.getData(server, false, this, node));
                }
            }
            int count = node.stat.getNumChildren();
            if (want.children() && count > 0) {
                if (count > maxChildren) {
                    node.problem = "children: " + count + " (expected: <= " + maxChildren + ")";
                } else if (discovered + count > maxNodes) {
                    stop("more than " + maxNodes + " znodes (limit " + maxNodes + ")");
                } else {
                    queue.add(() -> zk.getChildren(server, false, (AsyncCallback.ChildrenCallback) this, node));
                }
            } else if (want.children()) {
                node.children = List.of();
            }
        }

        @Override
        public synchronized void processResult(int rc, String path, Object ctx, byte[] data, Stat stat) {
            Node node = arrived(ctx);
            if (node == null) {
                return;
            }
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK) {
                node.data = data == null ? new byte[0] : data;
                if (stat != null) {
                    node.stat = stat;
                }
            } else if (!handled(node, code, "data")) {
                return;
            }
            pump();
        }

        @Override
        public synchronized void processResult(int rc, String path, Object ctx, List<String> children) {
            Node node = arrived(ctx);
            if (node == null) {
                return;
            }
            KeeperException.Code code = KeeperException.Code.get(rc);
            if (code == KeeperException.Code.OK) {
                listed(node, children);
            } else if (!handled(node, code, "children")) {
                return;
            }
            pump();
        }

        private void listed(Node node, List<String> names) {
            if (names.size() > maxChildren) {
                node.problem = "children: " + names.size() + " (expected: <= " + maxChildren + ")";
                return;
            }
            discovered += names.size();
            if (discovered > maxNodes) {
                stop("more than " + maxNodes + " znodes (limit " + maxNodes + ")");
                return;
            }
            List<String> sorted = new ArrayList<>(names);
            Collections.sort(sorted);
            node.children = List.copyOf(sorted);
            for (String name : plan.visit(node.path, node.children)) {
                String child = Snapshot.join(node.path, name);
                try {
                    chroot.prepend(child);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                visit(child);
            }
        }
    }
}
