package io.zktenantproxy.proxy.admin;

import java.time.Duration;

/**
 * The node and time bounds of one read of a tenant's tree by the admin server, shared by every route that reads one
 * ({@link TreeRoute}, {@link FlinkRoute}) so that they are bounded alike: query parameters {@code limit} (nodes) and
 * {@code timeoutMs} (milliseconds), each optional, each able only to lower the server's bound.
 *
 * @param limit     the most znodes the read may visit, 1..{@value #MAX_NODES}
 * @param timeoutMs the longest the read may take, 1..{@value #MAX_TIMEOUT_MS} ms
 */
record ScanBounds(int limit, int timeoutMs) {
    /** The most nodes one request may visit. */
    static final int MAX_NODES = 10_000;
    /** The longest one request may take, ms. */
    static final int MAX_TIMEOUT_MS = 5_000;

    /**
     * @return the bounds asked for, the server's when absent
     * @throws io.zktenantproxy.proxy.tree.TreeException {@code BAD_REQUEST} naming the parameter when one is out of
     *                                                   range, e.g. {@code "limit: '0' (expected: an integer in
     *                                                   1..10000)"}
     */
    static ScanBounds of(QueryParams params) {
        return new ScanBounds(params.integer("limit", MAX_NODES, 1, MAX_NODES),
                params.integer("timeoutMs", MAX_TIMEOUT_MS, 1, MAX_TIMEOUT_MS));
    }

    /** @return {@link #timeoutMs} as a duration */
    Duration timeout() {
        return Duration.ofMillis(timeoutMs);
    }
}
