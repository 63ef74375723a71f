package io.zktenantproxy.proxy.compat.driver;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.NodeCache;
import org.apache.curator.framework.recipes.cache.NodeCacheListener;

/**
 * Curator's {@code NodeCache} on one znode, as Flink 1.12's {@code ZooKeeperLeaderRetrievalService} uses it (Curator
 * 4 has no {@code CuratorCache}): every value the cache holds after a change is queued as UTF-8 text. A class of its
 * own so that a Curator without {@code NodeCache} never links it.
 */
final class NodeCacheWatch {
    private NodeCacheWatch() {
    }

    @SuppressWarnings("deprecation") // deprecated in Curator 5 for CuratorCache; the recipe Curator 4 users have
    static BlockingQueue<String> start(CuratorFramework client, String path) throws Exception {
        BlockingQueue<String> seen = Steps.queue();
        NodeCache cache = new NodeCache(client, path);
        NodeCacheListener listener = () -> {
            ChildData data = cache.getCurrentData();
            seen.add(data == null ? "(deleted)" : new String(data.getData(), StandardCharsets.UTF_8));
        };
        Listeners.add(cache, listener);
        cache.start(true);
        return seen;
    }
}
