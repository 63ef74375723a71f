package io.zktenantproxy.proxy.admin;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import io.zktenantproxy.proxy.tree.TreeException;
import io.zktenantproxy.proxy.tree.TreeNode;
import io.zktenantproxy.proxy.tree.TreeQuery;
import io.zktenantproxy.proxy.tree.TreeReader;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /tenants/{name}/tree?path=/&depth=1&data=false&dataMax=1024&limit=10000&timeoutMs=5000}: the tenant's
 * tree as the tenant sees it, read with the proxy's own client ({@link TreeReader}). Every parameter is
 * optional; {@code limit} and {@code timeoutMs} may only lower the server's bounds ({@link ScanBounds}:
 * {@value ScanBounds#MAX_NODES} nodes, {@value ScanBounds#MAX_TIMEOUT_MS} ms). Answers 400, 404, 413, 503 or 504 with a
 * JSON error past a bound.
 */
final class TreeRoute {
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
        Tenant tenant = TenantLookup.find(proxy, name).orElse(null);
        if (tenant == null) {
            return CompletableFuture.completedFuture(TenantLookup.unknown(name));
        }
        try {
            QueryParams params = new QueryParams(query);
            ScanBounds bounds = ScanBounds.of(params);
            TreeQuery treeQuery = new TreeQuery(tenant.chroot(), params.string("path", "/"),
                    params.integer("depth", 1, 0, TreeQuery.MAX_DEPTH), bounds.limit(), bounds.timeout(),
                    params.flag("data"), params.integer("dataMax", DEFAULT_DATA, 0, MAX_DATA));
            long start = System.nanoTime();
            return reader.walk(treeQuery).handle((root, error) -> error == null
                    ? Answer.json(new TreeAnswer(tenant.name(), tenant.chroot().root(), treeQuery.path(),
                    treeQuery.depth(), bounds.limit(), bounds.timeoutMs(), (System.nanoTime() - start) / 1_000_000,
                    root))
                    : Answer.failure(error));
        } catch (TreeException e) {
            return CompletableFuture.completedFuture(Answer.error(e));
        }
    }
}
