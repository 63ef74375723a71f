package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.zktenantproxy.protocol.FourLetterWord;
import io.zktenantproxy.proxy.metrics.CloseReason;

/**
 * The client channel's handler (Netty's proxy example calls it the frontend): after the frame decoder, makes the
 * tenant's {@link Connection} when the channel becomes active and hands it every frame and event. The tenant is
 * given: the {@link TenantResolver} decided it before this handler was added.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    /** The client channel's connection, for closing a tenant's connections from outside (reloads). */
    static final AttributeKey<Connection> CONNECTION = AttributeKey.valueOf("zktp.connection");

    private final Tenant tenant;
    private final ProxyContext context;
    private Connection connection;

    FrontendHandler(Tenant tenant, ProxyContext context) {
        this.tenant = tenant;
        this.context = context;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection = new Connection(tenant, context, ctx.channel());
        ctx.channel().attr(CONNECTION).set(connection);
        connection.open();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FourLetterWord word) {
            connection.answer(word);
        } else {
            connection.onClientFrame((ByteBuf) msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged(true);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            connection.close(CloseReason.IDLE_TIMEOUT, "nothing received within "
                    + context.limits().idleTimeoutMs() + " ms");
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.onClientException(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.release();
    }
}
