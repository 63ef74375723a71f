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

    /** @return an admin server on {@code listen} ({@code host:port}), no token, the default slow threshold */
    public static AdminConfig listeningOn(String listen) {
        return new AdminConfig(listen, null, null);
    }

    /** @return this configuration with requests required to carry {@code Authorization: Bearer <token>} */
    public AdminConfig withToken(String token) {
        return new AdminConfig(listen, token, slowThresholdMs);
    }

    /** @return this configuration with another slow threshold, milliseconds, positive */
    public AdminConfig withSlowThresholdMs(int slowThresholdMs) {
        return new AdminConfig(listen, token, slowThresholdMs);
    }
}
