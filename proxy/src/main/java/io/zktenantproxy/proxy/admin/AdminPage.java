package io.zktenantproxy.proxy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The admin page: one self-contained HTML page ({@code tree.html} beside this class; inline CSS and JS, no
 * external resources) that lists the tenants and has two tabs per tenant, all through the JSON routes: the tree,
 * expanded node by node with a node's stat and data ({@link TreeRoute}), and Flink, the tenant's Flink HA clusters
 * with their leaders, jobs, checkpoints, locks, applications and orphans ({@link FlinkRoute}). Renders names, data
 * and every Flink value as text only ({@code textContent}, never as HTML): they are tenant bytes.
 */
final class AdminPage {
    /** Sent with every admin answer: the page may load nothing from elsewhere and talk only to this server. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
            + "form-action 'none'; frame-ancestors 'none'";

    private static final String HTML = load();

    private AdminPage() {
    }

    /** @return the page */
    static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = AdminPage.class.getResourceAsStream("tree.html")) {
            if (in == null) {
                throw new IllegalStateException("tree.html missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
