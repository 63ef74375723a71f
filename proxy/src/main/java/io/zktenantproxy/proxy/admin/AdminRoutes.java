package io.zktenantproxy.proxy.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/** Maps admin requests to answers. Every route is a GET; anything else is 405. */
final class AdminRoutes {
    /** One answer: status, content type and body. */
    record Answer(HttpResponseStatus status, String contentType, String body) {
        static Answer text(HttpResponseStatus status, String body) {
            return new Answer(status, "text/plain; charset=utf-8", body);
        }
    }

    private final ProxyServer proxy;
    private final byte[] expectedAuthorization;

    AdminRoutes(ProxyServer proxy, String token) {
        this.proxy = proxy;
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    Answer answer(FullHttpRequest request) {
        if (expectedAuthorization != null) {
            String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (given == null || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
                return Answer.text(HttpResponseStatus.UNAUTHORIZED, "unauthorized\n");
            }
        }
        if (!HttpMethod.GET.equals(request.method())) {
            return Answer.text(HttpResponseStatus.METHOD_NOT_ALLOWED, "read-only: GET only\n");
        }
        String path = new QueryStringDecoder(request.uri()).path();
        return switch (path) {
            case "/healthz" -> Answer.text(HttpResponseStatus.OK, "ok\n");
            case "/readyz" -> proxy.ready()
                    ? Answer.text(HttpResponseStatus.OK, "ready\n")
                    : Answer.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
            case "/metrics" -> new Answer(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                    proxy.metrics().scrape());
            default -> Answer.text(HttpResponseStatus.NOT_FOUND, "not found\n");
        };
    }
}
