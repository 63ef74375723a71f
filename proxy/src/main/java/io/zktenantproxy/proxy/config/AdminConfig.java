package io.zktenantproxy.proxy.config;

/**
 * The admin HTTP server (health, readiness, metrics, tenant trees). Read-only.
 *
 * @param listen {@code host:port}; null disables it. Bind it to loopback unless a token is set.
 * @param token  when set, every request must carry {@code Authorization: Bearer <token>}
 */
public record AdminConfig(String listen, String token) {
}
