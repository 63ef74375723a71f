package io.zktenantproxy.proxy.server;

import java.util.List;

/**
 * The outcome of the last configuration reload, as {@code /tenants} and {@code /readyz} show it.
 *
 * @param generation the generation of the configuration that runs: 1 at start, one more per applied reload
 * @param outcome    {@code started}, {@code applied}, {@code unchanged} or {@code refused}
 * @param errors     for {@code refused}, why: the same one-line messages as {@code check-config}; else empty
 * @param at         when the reload (or the start) happened, ISO-8601 UTC ({@code 2026-12-02T04:05:06.789Z})
 */
public record ReloadStatus(long generation, String outcome, List<String> errors, String at) {
    public ReloadStatus {
        errors = List.copyOf(errors);
    }

    /** @return a status stamped now */
    static ReloadStatus now(long generation, String outcome, List<String> errors) {
        return new ReloadStatus(generation, outcome, errors, java.time.Instant.now().toString());
    }

    /** @return whether the last reload was refused (the configuration that runs is an older one) */
    public boolean refused() {
        return "refused".equals(outcome);
    }
}
