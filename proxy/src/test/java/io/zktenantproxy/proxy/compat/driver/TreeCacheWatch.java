package io.zktenantproxy.proxy.compat.driver;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.TreeCache;
import org.apache.curator.framework.recipes.cache.TreeCacheEvent;
import org.apache.curator.framework.recipes.cache.TreeCacheListener;

/**
 * Curator's {@code TreeCache} on one znode, depth 0, caching data: how Flink 1.15 to 2.x retrieve the leader's address
 * ({@code ZooKeeperUtils.createTreeCache}). It works with every Curator from 4 on and every ensemble, where
 * {@code CuratorCache} needs persistent watches (a 3.6 ensemble). Every value seen added or updated is queued as UTF-8
 * text.
 */
final class TreeCacheWatch {
    private TreeCacheWatch() {
    }

    static BlockingQueue<String> start(CuratorFramework client, String path) throws Exception {
        BlockingQueue<String> seen = Steps.queue();
        TreeCache cache = TreeCache.newBuilder(client, path).setCacheData(true).setMaxDepth(0).build();
        TreeCacheListener listener = (c, event) -> {
            TreeCacheEvent.Type type = event.getType();
            if ((type == TreeCacheEvent.Type.NODE_ADDED || type == TreeCacheEvent.Type.NODE_UPDATED)
                    && event.getData() != null) {
                seen.add(new String(event.getData().getData(), StandardCharsets.UTF_8));
            }
        };
        Listeners.add(cache, listener);
        cache.start();
        return seen;
    }
}
