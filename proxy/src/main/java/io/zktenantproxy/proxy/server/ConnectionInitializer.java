package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Builds an accepted client channel's pipeline. On a plain listener the {@link TenantResolver} decides the tenant at
 * once and the ZooKeeper handlers follow: the idle timeout, the frame decoder (four-letter words accepted as the first
 * bytes) and the {@link FrontendHandler}. On a TLS listener the {@link SslHandler} and a {@link TlsHandshakeGate}
 * come first, and the gate adds the ZooKeeper handlers once the handshake has finished and decided the tenant.
 *
 * <pre>
 * plain: client socket -> idle -> FrameDecoder -> FrontendHandler -> Connection -> ... -> upstream channel
 * TLS:   client socket -> SslHandler -> TlsHandshakeGate   (replaced, after the handshake, by the plain chain)
 * </pre>
 *
 * <p>With {@code limits.maxHandshakesInProgress} set, the pipeline is built only once the listener's
 * {@link HandshakeSlots} grant the connection a slot; until then it waits unread.
 */
final class ConnectionInitializer extends ChannelInitializer<Channel> {
    /** Pipeline name of the client channel's idle-timeout handler (widened once the session timeout is known). */
    static final String IDLE_HANDLER = "idle";

    private final Listener listener;
    private final Supplier<ProxyContext> contexts;
    private final ProxyMetrics metrics;
    private final HandshakeSlots slots;

    ConnectionInitializer(Listener listener, ProxyContext context, ProxyMetrics metrics) {
        this(listener, () -> context, metrics, null);
    }

    /**
     * @param contexts the context for a connection accepted now: a reload replaces it (new limits, a new way
     *                 upstream), and connections accepted before keep theirs
     * @param slots    the listener's handshake admission, or null to start every connection at once
     */
    ConnectionInitializer(Listener listener, Supplier<ProxyContext> contexts, ProxyMetrics metrics,
                          HandshakeSlots slots) {
        this.listener = listener;
        this.contexts = contexts;
        this.metrics = metrics;
        this.slots = slots;
    }

    @Override
    protected void initChannel(Channel channel) {
        if (slots == null) {
            build(channel);
        } else {
            slots.offer(channel, this::build);
        }
    }

    /** Builds the pipeline of a connection whose handshake may start now. */
    private void build(Channel channel) {
        ProxyContext context = contexts.get();
        if (listener.tls() == null) {
            Tenant tenant = listener.resolver().resolve(channel);
            if (tenant == null) {
                // a reload removed the tenant between the accept and now: its listener is closing
                channel.close();
                return;
            }
            addZooKeeperHandlers(channel.pipeline(), null, tenant, context);
            return;
        }
        SslHandler ssl = listener.tls().context(listener.boundTenant()).newHandler(channel.alloc());
        ssl.setHandshakeTimeoutMillis(listener.tls().config().handshakeTimeoutMs());
        channel.pipeline()
                .addLast(ssl)
                .addLast(TlsHandshakeGate.NAME, new TlsHandshakeGate(listener, context, metrics));
    }

    /**
     * Adds the ZooKeeper handlers of {@code tenant}'s connection.
     *
     * @param after the handler to add them after, or null to add them last
     */
    static void addZooKeeperHandlers(ChannelPipeline pipeline, String after, Tenant tenant, ProxyContext context) {
        Limits limits = context.limits();
        IdleStateHandler idle = new IdleStateHandler(limits.idleTimeoutMs(), 0, 0, TimeUnit.MILLISECONDS);
        FrontendHandler frontend = new FrontendHandler(tenant, context);
        if (after == null) {
            pipeline.addLast(IDLE_HANDLER, idle)
                    .addLast(FrameCumulator.decoder(limits.maxFrameBytes(), true))
                    .addLast(frontend);
        } else {
            pipeline.addAfter(after, IDLE_HANDLER, idle)
                    .addAfter(IDLE_HANDLER, "frames", FrameCumulator.decoder(limits.maxFrameBytes(), true))
                    .addAfter("frames", "frontend", frontend);
        }
    }
}
