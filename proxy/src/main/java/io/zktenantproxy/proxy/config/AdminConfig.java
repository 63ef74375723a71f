package io.zktenantproxy.proxy.config;

/**
 * The admin HTTP server (health, readiness, metrics, tenant trees) and the metrics it serves. Read-only.
 *
 * @param listen          {@code host:port}; null disables it. Bind it to loopback unless a token is set.
 * @param token           when set, every request must carry {@code Authorization: Bearer <token>}
 * @param slowThresholdMs upstream latency above which a reply counts as slow in {@code zktp_upstream_replies_total},
 *                        milliseconds, positive (default {@value #DEFAULT_SLOW_THRESHOLD_MS})
 */
public record AdminConfig(String listen, String token, Integer slowThresholdMs) {
    /** Default of {@link #slowThresholdMs}. */
    public static final int DEFAULT_SLOW_THRESHOLD_MS = 100;

    /** @throws IllegalArgumentException if {@code slowThresholdMs} is not positive */
    public AdminConfig {
        slowThresholdMs = slowThresholdMs != null ? slowThresholdMs : DEFAULT_SLOW_THRESHOLD_MS;
        if (slowThresholdMs <= 0) {
            throw new IllegalArgumentException("admin.slowThresholdMs: " + slowThresholdMs + " (expected: > 0)");
        }
    }

    /** An admin server with the default slow threshold. */
    public AdminConfig(String listen, String token) {
        this(listen, token, null);
    }
}
