package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A stand-in for the proxy's two channels, small enough to read: a client-facing {@link EmbeddedChannel}
 * ({@link FrameDecoder} accepting four-letter words, then a handler feeding {@link TenantConnection#onClientFrame}) and
 * an upstream-facing one ({@link FrameDecoder}, then {@link TenantConnection#onServerFrame}), sharing one connection.
 *
 * <p>Frames for upstream come out of the client channel's inbound side ({@code client.readInbound()}); frames for
 * the client, whoever produced them, come out of its outbound side ({@code client.readOutbound()}). Each input frame
 * is released after use, as the proxy does.
 */
final class ProxyPipeline {
    final TrackingAllocator alloc = new TrackingAllocator();
    final TenantConnection connection = new TenantConnection(new TenantChroot(ConnectionDriver.CHROOT),
            ConnectionDriver.ENSEMBLE_CONFIG, this::writeToClient, TenantConnection.Observer.NONE);
    final EmbeddedChannel client;
    final EmbeddedChannel server;
    /** Set by the first ProtocolException: the proxy closes the connection and reads nothing more of it. */
    private boolean closing;

    ProxyPipeline(int maxFrameLength) {
        client = new EmbeddedChannel(new FrameDecoder(maxFrameLength, true), new ClientSide());
        client.config().setAllocator(alloc);
        server = new EmbeddedChannel(new FrameDecoder(maxFrameLength, false), new ServerSide());
        server.config().setAllocator(alloc);
    }

    ProxyPipeline() {
        this(FrameDecoder.DEFAULT_MAX_FRAME_LENGTH);
    }

    /** Client to proxy. */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf frame)) {
                ctx.fireChannelRead(msg); // a FourLetterWord: not the protocol's business
                return;
            }
            try {
                if (closing) {
                    return;
                }
                RequestOutcome result = onProtocol(() -> connection.onClientFrame(frame, ctx.alloc()));
                if (result instanceof RequestOutcome.Forward forward) {
                    ctx.fireChannelRead(forward.toUpstream());
                } else if (result instanceof RequestOutcome.Connect connect) {
                    ctx.fireChannelRead(connect.toUpstream());
                }
            } finally {
                frame.release();
                ctx.flush();
            }
        }
    }

    /** Ensemble to proxy. */
    private final class ServerSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (closing) {
                    return;
                }
                onProtocol(() -> connection.onServerFrame(frame, ctx.alloc()));
            } finally {
                frame.release();
                client.flush();
            }
        }
    }

    /** The connection's one sink: every frame for the client, whoever produced it. */
    private void writeToClient(ByteBuf buf) {
        client.write(buf);
    }

    private <T> T onProtocol(Supplier<T> step) {
        try {
            return step.get();
        } catch (ProtocolException e) {
            closing = true;
            throw e;
        }
    }

    void fromClient(byte[] bytes) {
        client.writeInbound(alloc.wrap(bytes));
    }

    void fromServer(byte[] bytes) {
        server.writeInbound(alloc.wrap(bytes));
    }

    /** Takes (and releases) every frame sent upstream so far. */
    List<byte[]> toUpstream() {
        return drain(true);
    }

    /** Takes (and releases) every frame sent to the client so far. */
    List<byte[]> toClient() {
        return drain(false);
    }

    private List<byte[]> drain(boolean upstream) {
        List<byte[]> frames = new ArrayList<>();
        Object msg;
        while ((msg = upstream ? client.readInbound() : client.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            frames.add(ConnectionDriver.bytes(buf));
            buf.release();
        }
        return frames;
    }

    /**
     * Closes both channels and the connection.
     *
     * @return whether anything was left unread in either channel (tests assert false)
     */
    boolean finish() {
        boolean leftClient = client.finish();
        boolean leftServer = server.finish();
        connection.release();
        return leftClient || leftServer;
    }
}
