package io.zktenantproxy.proxy.config;

/**
 * The admin HTTP server (health, readiness, metrics, tenant trees) and the metrics it serves. Read-only.
 *
 * @param listen          {@code host:port}; null disables it. Bind it to loopback unless a token is set.
 * @param token           when set, every request must carry {@code Authorization: Bearer <token>} (but the status
 *                        line of {@code /healthz} and {@code /readyz}, which probes read without it)
 * @param slowThresholdMs upstream latency above which a reply counts as slow in {@code zktp_upstream_replies_total},
 *                        milliseconds, positive (default {@value #DEFAULT_SLOW_THRESHOLD_MS})
 * @param tokenFile       a file holding the token instead (a mounted Kubernetes Secret), so it is in neither the
 *                        configuration nor the command line; read once at start, surrounding whitespace dropped
 */
public record AdminConfig(String listen, String token, Integer slowThresholdMs, String tokenFile) {
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
        this(listen, token, null, null);
    }

    /** An admin server whose token, if any, is given inline. */
    public AdminConfig(String listen, String token, Integer slowThresholdMs) {
        this(listen, token, slowThresholdMs, null);
    }

    /**
     * @return the token requests must carry: {@link #token}, else the content of {@link #tokenFile}; null for none
     * @throws IllegalArgumentException if the file cannot be read or is empty (never naming its content)
     */
    public String resolvedToken() {
        if (tokenFile == null) {
            return token;
        }
        try {
            String read = java.nio.file.Files.readString(java.nio.file.Path.of(tokenFile)).strip();
            if (read.isEmpty()) {
                throw new IllegalArgumentException("admin.tokenFile: " + tokenFile + " is empty");
            }
            return read;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("admin.tokenFile: " + tokenFile + ": cannot read it (" + e + ")");
        }
    }

    /** @return an admin server on {@code listen} ({@code host:port}), no token, the default slow threshold */
    public static AdminConfig listeningOn(String listen) {
        return new AdminConfig(listen, null, null, null);
    }

    /** @return this configuration with requests required to carry {@code Authorization: Bearer <token>} */
    public AdminConfig withToken(String token) {
        return new AdminConfig(listen, token, slowThresholdMs, tokenFile);
    }

    /** @return this configuration with the token read from {@code file} */
    public AdminConfig withTokenFile(String file) {
        return new AdminConfig(listen, token, slowThresholdMs, file);
    }

    /** @return this configuration with another slow threshold, milliseconds, positive */
    public AdminConfig withSlowThresholdMs(int slowThresholdMs) {
        return new AdminConfig(listen, token, slowThresholdMs, tokenFile);
    }
}
