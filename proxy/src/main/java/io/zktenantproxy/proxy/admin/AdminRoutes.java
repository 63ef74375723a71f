package io.zktenantproxy.proxy.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.ReloadStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Maps admin requests to answers. Every route is a GET (HEAD too), but {@code POST /reload}, the one route that
 * changes anything; anything else is 405. With a token configured, every route but the page itself (static, it holds
 * no data and asks for the token) and the status lines of {@code /healthz} and {@code /readyz} (Kubernetes probes
 * send no token) needs {@code Authorization: Bearer <token>}, else 401; {@code POST /reload} is
 * refused (403) when no token is configured, since anyone who reaches the port could otherwise reconfigure.
 *
 * <pre>
 * /healthz                 200 "ok" while the process runs
 * /readyz                  200 when every listener is bound and the ensemble reachable, else 503; then the
 *                          configuration generation and the last reload's outcome
 * POST /reload             re-reads the configuration file and applies it: 200 with the outcome (JSON
 *                          {@link ReloadStatus}), 422 when refused, 409 when the proxy runs from flags
 * /metrics                 Prometheus text
 * /tenants                 JSON: every tenant's chroot, port, connections, sessions, requests, budgets, quotas
 * /tenants/{name}/tree     JSON: the tenant's tree ({@link TreeRoute})
 * /tenants/{name}/flink    JSON: the tenant's Flink HA state ({@link FlinkRoute})
 * / and /ui                the tree browser ({@link AdminPage})
 * </pre>
 */
final class AdminRoutes {
    private static final String TENANTS = "/tenants/";
    private static final String TREE = "/tree";
    private static final String FLINK = "/flink";

    private final ProxyServer proxy;
    private final TreeRoute trees;
    private final FlinkRoute flink;
    private final byte[] expectedAuthorization;
    private final Supplier<ReloadStatus> reloader;

    /**
     * @param token    when non-null, the bearer token every data route needs
     * @param reloader what {@code POST /reload} runs (off the event loop), or null when there is no file to reload
     */
    AdminRoutes(ProxyServer proxy, TreeRoute trees, FlinkRoute flink, String token, Supplier<ReloadStatus> reloader) {
        this.proxy = proxy;
        this.trees = trees;
        this.flink = flink;
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.reloader = reloader;
    }

    /** @return the answer; completes on another thread for tree reads and reloads */
    CompletableFuture<Answer> answer(FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        if (HttpMethod.POST.equals(request.method()) && path.equals("/reload")) {
            return reload(request);
        }
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            return done(Answer.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "read-only: GET only, and POST /reload\n"));
        }
        if (path.equals("/") || path.equals("/ui")) {
            return done(new Answer(HttpResponseStatus.OK, Answer.HTML, AdminPage.html()));
        }
        boolean authorized = authorized(request);
        // probes carry no token: they get the status line, and only a token holder the details after it
        if (path.equals("/healthz")) {
            return done(Answer.text(HttpResponseStatus.OK, "ok\n"));
        }
        if (path.equals("/readyz")) {
            boolean ready = proxy.ready();
            return done(Answer.text(ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    (ready ? "ready\n" : "not ready\n") + (authorized ? reloadLines(proxy.lastReload()) : "")));
        }
        if (!authorized) {
            return done(Answer.text(HttpResponseStatus.UNAUTHORIZED, "unauthorized: send Authorization: Bearer "
                    + "<admin.token>\n"));
        }
        switch (path) {
            case "/metrics":
                return done(new Answer(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        proxy.metrics().scrape()));
            case "/tenants":
                return done(Answer.json(TenantSummary.of(proxy)));
            default:
                break;
        }
        String tree = tenantOf(path, TREE);
        if (tree != null) {
            return trees.answer(tree, query);
        }
        String flinkTenant = tenantOf(path, FLINK);
        if (flinkTenant != null) {
            return flink.answer(flinkTenant, query);
        }
        return done(Answer.text(HttpResponseStatus.NOT_FOUND, "not found\n"));
    }

    /** @return NAME of {@code /tenants/NAME<suffix>}, or null when {@code path} is not that */
    private static String tenantOf(String path, String suffix) {
        if (!path.startsWith(TENANTS) || !path.endsWith(suffix)
                || path.length() <= TENANTS.length() + suffix.length()) {
            return null;
        }
        String name = path.substring(TENANTS.length(), path.length() - suffix.length());
        return name.indexOf('/') < 0 ? name : null;
    }

    private CompletableFuture<Answer> reload(FullHttpRequest request) {
        if (expectedAuthorization == null) {
            return done(Answer.text(HttpResponseStatus.FORBIDDEN, "POST /reload needs admin.token to be set\n"));
        }
        if (!authorized(request)) {
            return done(Answer.text(HttpResponseStatus.UNAUTHORIZED, "unauthorized: send Authorization: Bearer "
                    + "<admin.token>\n"));
        }
        if (reloader == null) {
            return done(Answer.text(HttpResponseStatus.CONFLICT, "the proxy runs from flags: no file to reload\n"));
        }
        // binding listeners and closing others takes time: not on the admin event loop
        return CompletableFuture.supplyAsync(reloader).thenApply(status -> {
            Answer json = Answer.json(status);
            return status.refused() ? new Answer(HttpResponseStatus.UNPROCESSABLE_ENTITY, json.contentType(),
                    json.body()) : json;
        });
    }

    /** @return the generation and the last reload, for {@code /readyz} (never the secrets: only messages) */
    static String reloadLines(ReloadStatus status) {
        StringBuilder sb = new StringBuilder("config generation ").append(status.generation())
                .append("; last reload: ").append(status.outcome()).append(" at ").append(status.at()).append('\n');
        status.errors().forEach(e -> sb.append("  ").append(e).append('\n'));
        return sb.toString();
    }

    private boolean authorized(FullHttpRequest request) {
        if (expectedAuthorization == null) {
            return true;
        }
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        return given != null && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
    }

    private static CompletableFuture<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
