package io.zktenantproxy.proxy.admin;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.config.FlinkConfig;
import io.zktenantproxy.proxy.flink.FlinkHaScanner;
import io.zktenantproxy.proxy.flink.FlinkScanLimits;
import io.zktenantproxy.proxy.flink.FlinkView;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import io.zktenantproxy.proxy.tree.TreeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /tenants/{name}/flink?limit=10000&timeoutMs=5000}: the tenant's Flink HA state ({@link FlinkView}: its
 * clusters, their leaders, jobs, checkpoints, applications and orphans), read by the process's one
 * {@link FlinkHaScanner} with the proxy's own client. The bounds are the tree endpoint's ({@link ScanBounds}); unlike
 * the tree, a scan that reaches one answers 200 with what it read and says why it stopped ({@code incomplete}), since
 * a partial view of a huge tenant is still worth showing. Paths are the tenant's (no chroot); nothing of a znode's
 * bytes is shown beyond what {@link FlinkView} holds (leader information is parsed, never deserialized).
 *
 * <p>Errors are the tree endpoint's JSON errors: 400 for a bad parameter, 404 for an unknown tenant, 503 when the
 * proxy's client is not connected, 502 when the tenant's root cannot be read.
 */
final class FlinkRoute {

    /**
     * The body of a Flink answer: the bounds applied, then the view's own fields at the top level.
     *
     * @param tenant    the tenant's name
     * @param limit     the node bound applied
     * @param timeoutMs the time bound applied, ms
     * @param elapsedMs how long the scan took, ms
     * @param view      the view ({@code scannedAt}, {@code roots}, {@code clusters}, {@code nodes},
     *                  {@code incomplete})
     */
    record FlinkAnswer(String tenant, int limit, int timeoutMs, long elapsedMs, @JsonUnwrapped FlinkView view) {
    }

    private final ProxyServer proxy;
    private final FlinkHaScanner scanner;

    /** @param scanner the process's one scanner: it remembers clusters across scans for the orphan decision */
    FlinkRoute(ProxyServer proxy, FlinkHaScanner scanner) {
        this.proxy = proxy;
        this.scanner = scanner;
    }

    /** @return the answer for tenant {@code name}; never fails (errors become JSON error answers) */
    CompletableFuture<Answer> answer(String name, QueryStringDecoder query) {
        Tenant tenant = TenantLookup.find(proxy, name).orElse(null);
        if (tenant == null) {
            return CompletableFuture.completedFuture(TenantLookup.unknown(name));
        }
        try {
            ScanBounds bounds = ScanBounds.of(new QueryParams(query));
            long start = System.nanoTime();
            // the configured roots and orphan threshold, as the meters' scan has them: both share one scanner's
            // memory of the clusters seen alive, which a scan of other roots would make it forget
            FlinkConfig flink = proxy.config().flink();
            FlinkScanLimits limits = new FlinkScanLimits(flink.roots(), flink.discover(), bounds.limit(),
                    FlinkScanLimits.DEFAULT_MAX_CHILDREN, bounds.timeout(), Duration.ofMillis(flink.orphanAfterMs()));
            return scanner.scan(tenant.chroot(), limits)
                    .handle((view, error) -> error == null
                            ? Answer.json(new FlinkAnswer(tenant.name(), bounds.limit(), bounds.timeoutMs(),
                            (System.nanoTime() - start) / 1_000_000, view))
                            : Answer.failure(error));
        } catch (TreeException e) {
            // the scanner refuses at once when its client is not connected
            return CompletableFuture.completedFuture(Answer.error(e));
        }
    }
}
