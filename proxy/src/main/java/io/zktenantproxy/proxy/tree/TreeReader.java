package io.zktenantproxy.proxy.tree;

import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.util.concurrent.CompletableFuture;
import org.apache.zookeeper.ZooKeeper;

/**
 * Reads tenant trees through an {@link OperatorClient}: the admin server's through the proxy's own client, the
 * operator CLI's through one it builds per command. Does not own the client (whoever built it closes it).
 */
public final class TreeReader {
    private final OperatorClient client;

    /** @param client the proxy's own client of the ensemble; paths are read as they are, with no chroot */
    public TreeReader(OperatorClient client) {
        this.client = client;
    }

    /**
     * Starts walking {@code query}'s subtree ({@link TreeWalker}).
     *
     * @return completes with the subtree's root, or fails with a {@link TreeException}
     * @throws TreeException {@code UNAVAILABLE} if the client is not connected
     */
    public CompletableFuture<TreeNode> walk(TreeQuery query) {
        return TreeWalker.walk(zooKeeper(), query);
    }

    /**
     * @return the connected ZooKeeper handle (valid until the session is renewed)
     * @throws TreeException {@code UNAVAILABLE} if the client is not connected
     */
    public ZooKeeper zooKeeper() {
        if (!client.connected()) {
            throw new TreeException(TreeException.Kind.UNAVAILABLE, "the proxy's client is not connected to the "
                    + "ensemble");
        }
        try {
            return client.curator().getZookeeperClient().getZooKeeper();
        } catch (Exception e) {
            throw new TreeException(TreeException.Kind.UNAVAILABLE, "no ZooKeeper handle: " + e.getMessage());
        }
    }
}
