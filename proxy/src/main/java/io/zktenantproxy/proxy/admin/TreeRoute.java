package io.zktenantproxy.proxy.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import io.zktenantproxy.proxy.tree.TreeException;
import io.zktenantproxy.proxy.tree.TreeNode;
import io.zktenantproxy.proxy.tree.TreeQuery;
import io.zktenantproxy.proxy.tree.TreeReader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code GET /tenants/{name}/tree?path=/&depth=1&data=false&dataMax=1024&limit=10000&timeoutMs=5000}: the tenant's
 * tree as the tenant sees it, read with the proxy's own client ({@link TreeReader}). Every parameter is
 * optional; {@code limit} and {@code timeoutMs} may only lower the server's bounds ({@value #MAX_NODES} nodes,
 * {@value #MAX_TIMEOUT_MS} ms). Answers 400, 404, 413, 503 or 504 with a JSON error past a bound.
 */
final class TreeRoute {
    /** The most nodes one request may visit. */
    static final int MAX_NODES = 10_000;
    /** The longest one request may take, ms. */
    static final int MAX_TIMEOUT_MS = 5_000;
    /** The most data bytes shown per node. */
    static final int MAX_DATA = 64 * 1024;
    static final int DEFAULT_DATA = 1024;

    /**
     * The body of a tree answer.
     *
     * @param tenant    the tenant's name
     * @param chroot    its chroot (server path)
     * @param path      the client path asked for
     * @param depth     the depth returned
     * @param limit     the node bound applied
     * @param timeoutMs the time bound applied
     * @param elapsedMs how long the walk took
     * @param root      the subtree
     */
    record TreeAnswer(String tenant, String chroot, String path, int depth, int limit, int timeoutMs,
                      long elapsedMs, TreeNode root) {
    }

    private final ProxyServer proxy;
    private final TreeReader reader;

    TreeRoute(ProxyServer proxy, TreeReader reader) {
        this.proxy = proxy;
        this.reader = reader;
    }

    /** @return the answer for tenant {@code name}; never fails (errors become JSON error answers) */
    CompletableFuture<Answer> answer(String name, QueryStringDecoder query) {
        Tenant tenant = proxy.tenants().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
        if (tenant == null) {
            return CompletableFuture.completedFuture(Answer.error(HttpResponseStatus.NOT_FOUND,
                    "no tenant '" + name + "'"));
        }
        TreeQuery treeQuery;
        int limit;
        int timeoutMs;
        try {
            QueryParams params = new QueryParams(query);
            limit = params.integer("limit", MAX_NODES, 1, MAX_NODES);
            timeoutMs = params.integer("timeoutMs", MAX_TIMEOUT_MS, 1, MAX_TIMEOUT_MS);
            treeQuery = new TreeQuery(tenant.chroot(), params.string("path", "/"),
                    params.integer("depth", 1, 0, TreeQuery.MAX_DEPTH), limit, Duration.ofMillis(timeoutMs),
                    params.flag("data"), params.integer("dataMax", DEFAULT_DATA, 0, MAX_DATA));
            long start = System.nanoTime();
            return reader.walk(treeQuery).handle((root, error) -> error == null
                    ? Answer.json(new TreeAnswer(tenant.name(), tenant.chroot().root(), treeQuery.path(),
                    treeQuery.depth(), limit, timeoutMs, (System.nanoTime() - start) / 1_000_000, root))
                    : failure(error));
        } catch (TreeException e) {
            return CompletableFuture.completedFuture(Answer.error(e));
        }
    }

    private static Answer failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof TreeException e ? Answer.error(e)
                : Answer.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, cause.toString());
    }
}
