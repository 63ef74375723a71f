package io.zktenantproxy.proxy.server;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Paces the connections a tenant's listener accepts: a token bucket of {@code connectionsPerSecond} (one second's
 * worth of burst). Each accepted connection takes a token, on credit; when the bucket is in debt the listener stops
 * accepting (auto-read off on the server channel) until the debt is paid, and new connections wait in the kernel's
 * accept queue ({@code SO_BACKLOG}), where they cost the proxy nothing. One tenant reconnecting in a tight loop
 * (garbage, refused handshakes) so churns at most this many connections a second; other tenants have listeners of
 * their own and are not slowed.
 *
 * <p>Sits in the listener's pipeline before Netty's acceptor; every call comes from that listener's event loop.
 */
final class AcceptPacer extends ChannelInboundHandlerAdapter {
    private final Bucket bucket;
    private final LongConsumer onPaused;
    private boolean paused;

    /**
     * @param connectionsPerSecond accepts per second, > 0
     * @param onPaused             told of each pause, in nanoseconds (the tenant's meters record it)
     */
    AcceptPacer(int connectionsPerSecond, LongConsumer onPaused) {
        this.bucket = TenantBudget.bucket(connectionsPerSecond, TimeMeter.SYSTEM_NANOTIME);
        this.onPaused = onPaused;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object child) {
        long wait = bucket.consumeIgnoringRateLimits(1);
        ctx.fireChannelRead(child);
        if (wait > 0 && !paused) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
            onPaused.accept(wait);
            ctx.executor().schedule(() -> resume(ctx), wait, TimeUnit.NANOSECONDS);
        }
    }

    private void resume(ChannelHandlerContext ctx) {
        paused = false;
        if (ctx.channel().isOpen()) {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
