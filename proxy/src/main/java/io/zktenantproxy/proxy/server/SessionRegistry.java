package io.zktenantproxy.proxy.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;

/**
 * Which tenant created each session this proxy has seen, so a session created through tenant A cannot be resumed
 * through tenant B even with the right password (the password only proves the session, not the tenant).
 *
 * <p>A Caffeine cache keyed by session id; an entry expires a little after the session timeout the ensemble
 * negotiated (twice it), since by then the ensemble has expired the session too. Every resume refreshes it.
 */
final class SessionRegistry {
    private record Binding(String tenant, long timeoutNanos) {
    }

    private final Cache<Long, Binding> sessions = Caffeine.newBuilder()
            .maximumSize(1_000_000)
            .expireAfter(new Expiry<Long, Binding>() {
                @Override
                public long expireAfterCreate(Long id, Binding b, long now) {
                    return b.timeoutNanos;
                }

                @Override
                public long expireAfterUpdate(Long id, Binding b, long now, long current) {
                    return b.timeoutNanos;
                }

                @Override
                public long expireAfterRead(Long id, Binding b, long now, long current) {
                    return current;
                }
            })
            .build();

    /** Records that {@code sessionId}, negotiated with {@code timeoutMs}, belongs to {@code tenant}. */
    void bind(long sessionId, String tenant, int timeoutMs) {
        long keep = Duration.ofMillis(Math.max(timeoutMs, 1_000)).multipliedBy(2).toNanos();
        sessions.put(sessionId, new Binding(tenant, keep));
    }

    /** @return the tenant that created {@code sessionId}, or null when this proxy does not know the session */
    String owner(long sessionId) {
        Binding b = sessions.getIfPresent(sessionId);
        return b == null ? null : b.tenant;
    }

    long size() {
        return sessions.estimatedSize();
    }
}
