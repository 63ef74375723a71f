package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import io.zktenantproxy.proxy.config.Limits;
import java.util.concurrent.TimeUnit;

/**
 * Builds an accepted client channel's pipeline: asks the {@link TenantResolver} which tenant the connection belongs
 * to, then adds the idle timeout, the frame decoder (four-letter words accepted as the first bytes) and the
 * {@link FrontendHandler} for that tenant.
 *
 * <pre>
 * client socket -> idle -> FrameDecoder -> FrontendHandler -> Connection -> ... -> upstream channel
 * </pre>
 */
final class ConnectionInitializer extends ChannelInitializer<Channel> {
    /** Pipeline name of the client channel's idle-timeout handler (widened once the session timeout is known). */
    static final String IDLE_HANDLER = "idle";

    private final TenantResolver resolver;
    private final ProxyContext context;

    ConnectionInitializer(TenantResolver resolver, ProxyContext context) {
        this.resolver = resolver;
        this.context = context;
    }

    @Override
    protected void initChannel(Channel channel) {
        Tenant tenant = resolver.resolve(channel);
        Limits limits = context.limits();
        channel.pipeline()
                .addLast(IDLE_HANDLER, new IdleStateHandler(limits.idleTimeoutMs(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast(FrameCumulator.decoder(limits.maxFrameBytes(), true))
                .addLast(new FrontendHandler(tenant, context));
    }
}
