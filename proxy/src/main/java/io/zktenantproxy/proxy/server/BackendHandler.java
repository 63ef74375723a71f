package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The upstream channel's handler (Netty's proxy example calls it the backend): after the frame decoder, hands every
 * frame and event of the ensemble server's channel to the {@link Connection} that owns both channels.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final Connection connection;

    BackendHandler(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.onUpstreamFrame((ByteBuf) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.flushAndResumeReading();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.writabilityChanged(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.upstreamClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.onUpstreamException(cause);
    }
}
