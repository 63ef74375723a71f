package io.zktenantproxy.proxy.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;

/**
 * Maps admin requests to answers. Every route is a GET (HEAD too); anything else is 405. With a token configured,
 * every route but the page itself (static, it holds no data and asks for the token) needs
 * {@code Authorization: Bearer <token>}, else 401.
 *
 * <pre>
 * /healthz                 200 "ok" while the process runs
 * /readyz                  200 when every listener is bound and the ensemble reachable, else 503
 * /metrics                 Prometheus text
 * /tenants                 JSON: every tenant's chroot, port, connections, sessions, requests, budgets, quotas
 * /tenants/{name}/tree     JSON: the tenant's tree ({@link TreeRoute})
 * / and /ui                the tree browser ({@link AdminPage})
 * </pre>
 */
final class AdminRoutes {
    private static final String TENANTS = "/tenants/";
    private static final String TREE = "/tree";

    private final ProxyServer proxy;
    private final TreeRoute trees;
    private final byte[] expectedAuthorization;

    /** @param token when non-null, the bearer token every data route needs */
    AdminRoutes(ProxyServer proxy, TreeRoute trees, String token) {
        this.proxy = proxy;
        this.trees = trees;
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** @return the answer; completes on another thread for tree reads */
    CompletableFuture<Answer> answer(FullHttpRequest request) {
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            return done(Answer.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "read-only: GET only\n"));
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        String path = query.path();
        if (path.equals("/") || path.equals("/ui")) {
            return done(new Answer(HttpResponseStatus.OK, Answer.HTML, AdminPage.html()));
        }
        if (!authorized(request)) {
            return done(Answer.text(HttpResponseStatus.UNAUTHORIZED, "unauthorized: send Authorization: Bearer "
                    + "<admin.token>\n"));
        }
        switch (path) {
            case "/healthz":
                return done(Answer.text(HttpResponseStatus.OK, "ok\n"));
            case "/readyz":
                return done(proxy.ready()
                        ? Answer.text(HttpResponseStatus.OK, "ready\n")
                        : Answer.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n"));
            case "/metrics":
                return done(new Answer(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        proxy.metrics().scrape()));
            case "/tenants":
                return done(Answer.json(TenantSummary.of(proxy)));
            default:
                break;
        }
        if (path.startsWith(TENANTS) && path.endsWith(TREE)) {
            String name = path.substring(TENANTS.length(), path.length() - TREE.length());
            if (!name.isEmpty() && name.indexOf('/') < 0) {
                return trees.answer(name, query);
            }
        }
        return done(Answer.text(HttpResponseStatus.NOT_FOUND, "not found\n"));
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
