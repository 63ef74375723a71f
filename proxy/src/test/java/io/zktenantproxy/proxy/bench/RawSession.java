package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.zktenantproxy.protocol.ConnectRequest;
import io.zktenantproxy.protocol.ConnectResponse;
import io.zktenantproxy.protocol.FrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * A lightweight ZooKeeper session on the raw wire protocol (Netty), for benchmarks that need thousands of sessions in
 * one JVM where the Java client would start two threads each: the handshake ({@link ConnectRequest}), pings every
 * third of the negotiated timeout, and getData requests whose latency goes to a callback. Frames are split by the
 * protocol module's {@link FrameDecoder}. Everything happens on the channel's event loop.
 */
final class RawSession extends ChannelInboundHandlerAdapter {
    private static final int GET_DATA = 4;
    private static final int PING = 11;

    private final int timeoutMs;
    private final CompletableFuture<RawSession> connected = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final ArrayDeque<long[]> pending = new ArrayDeque<>();
    private Channel channel;
    private ScheduledFuture<?> pinger;
    private long sessionId;
    private int xid = 1;
    private LongConsumer onReply = latency -> { };
    private long errors;

    private RawSession(int timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    /** An event loop group on the best transport (epoll where available). */
    static EventLoopGroup group(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true),
                Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    static Bootstrap bootstrap(EventLoopGroup group) {
        return new Bootstrap().group(group)
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    }

    /** Connects and sends the ConnectRequest; the future completes when the server's ConnectResponse arrives. */
    static CompletableFuture<RawSession> open(Bootstrap bootstrap, String host, int port, int timeoutMs) {
        RawSession session = new RawSession(timeoutMs);
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FrameDecoder(FrameDecoder.DEFAULT_MAX_FRAME_LENGTH, false), session);
            }
        }).connect(host, port);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                session.connected.completeExceptionally(done.cause());
                session.closed.complete(null);
            }
        });
        return session.connected;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ctx.writeAndFlush(new ConnectRequest(0, 0, timeoutMs, 0, new byte[16], false).encode(ctx.alloc()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!connected.isDone()) {
                ConnectResponse response = ConnectResponse.decode(frame);
                if (response.expired()) {
                    connected.completeExceptionally(new IllegalStateException("session refused"));
                    ctx.close();
                    return;
                }
                sessionId = response.sessionId();
                long every = Math.max(1, response.timeOutMs() / 3);
                pinger = ctx.executor().scheduleAtFixedRate(this::ping, every, every, TimeUnit.MILLISECONDS);
                connected.complete(this);
                return;
            }
            int replyXid = frame.getInt(frame.readerIndex() + 4);
            int err = frame.getInt(frame.readerIndex() + 16);
            if (replyXid < 0) {
                return; // ping reply or watch event
            }
            long[] head = pending.poll();
            if (head == null || head[0] != replyXid) {
                errors++;
                return;
            }
            if (err != 0) {
                errors++;
            }
            onReply.accept(System.nanoTime() - head[1]);
        } finally {
            frame.release();
        }
    }

    private void ping() {
        ByteBuf buf = channel.alloc().buffer(12);
        buf.writeInt(8).writeInt(-2).writeInt(PING);
        channel.writeAndFlush(buf);
    }

    /** Sends a getData of {@code path} (no watch); call on the event loop. */
    void getData(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = channel.alloc().buffer(4 + 8 + 4 + p.length + 1);
        int id = xid++;
        buf.writeInt(8 + 4 + p.length + 1).writeInt(id).writeInt(GET_DATA).writeInt(p.length).writeBytes(p)
                .writeBoolean(false);
        pending.add(new long[] {id, System.nanoTime()});
        channel.writeAndFlush(buf);
    }

    void onReply(LongConsumer callback) {
        this.onReply = callback;
    }

    Channel channel() {
        return channel;
    }

    long sessionId() {
        return sessionId;
    }

    long errors() {
        return errors;
    }

    boolean isActive() {
        return channel != null && channel.isActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pinger != null) {
            pinger.cancel(false);
        }
        connected.completeExceptionally(new IllegalStateException("closed before the handshake"));
        closed.complete(null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    CompletableFuture<Void> closed() {
        return closed;
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }
}
