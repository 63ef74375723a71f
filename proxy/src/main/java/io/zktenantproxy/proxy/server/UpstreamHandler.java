package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The upstream channel's end of a proxied connection: hands every event to the {@link ClientConnection} that owns
 * both channels (they share one event loop).
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final ClientConnection owner;

    UpstreamHandler(ClientConnection owner) {
        this.owner = owner;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        owner.onUpstreamFrame((ByteBuf) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        owner.onUpstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        owner.updateClientReading();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        owner.onUpstreamInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        owner.onUpstreamException(cause);
    }
}
