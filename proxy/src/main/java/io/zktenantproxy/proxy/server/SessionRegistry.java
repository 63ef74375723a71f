package io.zktenantproxy.proxy.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.zktenantproxy.proxy.identity.UpstreamAcls;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Which tenant created each session, so a session created through tenant A cannot be resumed through tenant B even
 * with the right password (the password proves the session, not the tenant).
 *
 * <p>Two layers. A Caffeine cache keyed by session id answers sessions this instance has seen; an entry expires
 * after twice the negotiated session timeout (by then the ensemble has expired the session too) and every
 * resume refreshes it. Behind it, the ensemble itself: when a session is created the proxy creates, on that very
 * session, the ephemeral marker {@value #MARKER_ROOT}{@code /<session id hex>} holding the tenant's name, so the
 * marker lives exactly as long as the session and any proxy instance (or this one after a restart) can check a
 * resume against it. A session with no marker was not created through a proxy, or has expired (the ensemble then
 * answers the resume with an expired session, which the client must see); it is let through.
 */
final class SessionRegistry {
    /** Parent of the session ownership markers; outside every chroot, so no tenant can touch it. */
    static final String MARKER_ROOT = UpstreamAcls.MARKER_ROOT;

    private record Binding(String tenant, long keepNanos) {
    }

    private final CuratorFramework curator;
    private final Cache<Long, Binding> sessions = Caffeine.newBuilder()
            .maximumSize(1_000_000)
            .expireAfter(new Expiry<Long, Binding>() {
                @Override
                public long expireAfterCreate(Long id, Binding b, long now) {
                    return b.keepNanos;
                }

                @Override
                public long expireAfterUpdate(Long id, Binding b, long now, long current) {
                    return b.keepNanos;
                }

                @Override
                public long expireAfterRead(Long id, Binding b, long now, long current) {
                    return current;
                }
            })
            .build();

    /** @param operator the proxy's own client of the ensemble, shared, for marker look-ups */
    SessionRegistry(OperatorClient operator) {
        this.curator = operator.curator();
    }

    /** @return the marker path of {@code sessionId}, e.g. {@code /zk-tenant-proxy/sessions/1000a2b3c4d0000} */
    static String markerPath(long sessionId) {
        return MARKER_ROOT + "/" + Long.toHexString(sessionId);
    }

    /** Records that {@code sessionId}, negotiated with {@code timeoutMs}, belongs to {@code tenant}. */
    void bind(long sessionId, String tenant, int timeoutMs) {
        long keep = Duration.ofMillis(Math.max(timeoutMs, 1_000)).multipliedBy(2).toNanos();
        sessions.put(sessionId, new Binding(tenant, keep));
    }

    /**
     * @return completes with the tenant that created {@code sessionId}, or null when no proxy did (or it expired);
     *         fails when the ensemble cannot be asked
     */
    CompletableFuture<String> owner(long sessionId) {
        Binding known = sessions.getIfPresent(sessionId);
        if (known != null) {
            return CompletableFuture.completedFuture(known.tenant);
        }
        CompletableFuture<String> owner = new CompletableFuture<>();
        try {
            curator.getData().inBackground((client, event) -> {
                KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                if (code == KeeperException.Code.OK) {
                    owner.complete(new String(event.getData(), StandardCharsets.UTF_8));
                } else if (code == KeeperException.Code.NONODE) {
                    owner.complete(null);
                } else {
                    owner.completeExceptionally(KeeperException.create(code, event.getPath()));
                }
            }).forPath(markerPath(sessionId));
        } catch (Exception e) {
            owner.completeExceptionally(e);
        }
        return owner;
    }

    long size() {
        return sessions.estimatedSize();
    }
}
