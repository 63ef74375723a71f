package io.zktenantproxy.proxy.compat.driver;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * Curator 5's {@code CuratorCache} on one znode ({@code SINGLE_NODE_CACHE}, Curator's replacement for
 * {@code NodeCache}): every value the cache sees created or changed is queued as UTF-8 text. A class of its own so
 * that Curator 4, which lacks {@code CuratorCache}, never links it.
 */
final class CuratorCacheWatch {
    private CuratorCacheWatch() {
    }

    static BlockingQueue<String> start(CuratorFramework client, String path) {
        BlockingQueue<String> seen = Steps.queue();
        CuratorCache cache = CuratorCache.build(client, path, CuratorCache.Options.SINGLE_NODE_CACHE);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, after) -> seen.add(new String(after.getData(), StandardCharsets.UTF_8)))
                .build());
        cache.start();
        return seen;
    }
}
