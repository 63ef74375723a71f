package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.zktenantproxy.protocol.FrameDecoder;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.ReplyHeader;

/**
 * A lightweight ZooKeeper session on the raw wire protocol (Netty), for benchmarks that need thousands of sessions in
 * one JVM where the Java client would start two threads each: the handshake ({@code ConnectRequest}), pings every
 * third of the negotiated timeout, getData requests whose latency goes to a callback, and {@code closeSession}.
 * Frames are written and read with the wire test kit ({@link JuteFrames}, {@link JuteReader}) and split by the
 * protocol module's {@link FrameDecoder}; optionally over TLS (Netty's {@code SslHandler}). Everything happens on the
 * channel's event loop.
 */
final class RawSession extends ChannelInboundHandlerAdapter {
    private static final byte[] PING = JuteFrames.request(Xids.PING, OpCode.PING.code());
    /** The frame's length, then its {@code ReplyHeader{xid, zxid, err}}. */
    private static final int REPLY_HEAD_BYTES = Integer.BYTES + Integer.BYTES + Long.BYTES + Integer.BYTES;

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
    /** The xid of the {@code closeSession} sent ({@link #closeSession}), 0 before. */
    private int closeXid;

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
        return open(bootstrap, host, port, timeoutMs, null);
    }

    /**
     * As {@link #open(Bootstrap, String, int, int)}, over TLS with {@code tls} unless it is null: Netty's
     * {@code SslHandler} first in the pipeline, for {@code host} (its certificate is checked against it if the context
     * verifies host names); the ConnectRequest waits in the handler until the handshake is done.
     */
    static CompletableFuture<RawSession> open(Bootstrap bootstrap, String host, int port, int timeoutMs,
                                              SslContext tls) {
        RawSession session = new RawSession(timeoutMs);
        ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (tls != null) {
                    ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port));
                }
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
        write(JuteFrames.connectRequest(0, new byte[16], timeoutMs));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!connected.isDone()) {
                byte[] packet = ByteBufUtil.getBytes(frame, frame.readerIndex() + Integer.BYTES,
                        frame.readableBytes() - Integer.BYTES);
                ConnectResponse response = JuteReader.readFirst(packet, new ConnectResponse());
                if (response.getTimeOut() <= 0) {
                    connected.completeExceptionally(new IllegalStateException("session refused"));
                    ctx.close();
                    return;
                }
                sessionId = response.getSessionId();
                long every = Math.max(1, response.getTimeOut() / 3);
                pinger = ctx.executor().scheduleAtFixedRate(this::ping, every, every, TimeUnit.MILLISECONDS);
                connected.complete(this);
                return;
            }
            ReplyHeader header = JuteReader.replyHeader(ByteBufUtil.getBytes(frame, frame.readerIndex(),
                    REPLY_HEAD_BYTES));
            int replyXid = header.getXid();
            int err = header.getErr();
            if (replyXid < 0) {
                return; // ping reply or watch event
            }
            if (closeXid != 0 && replyXid == closeXid) {
                if (err != 0) {
                    errors++;
                }
                ctx.close(); // the session is closed on the ensemble: the server closes its end too
                return;
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
        write(PING);
    }

    /** Sends a getData of {@code path} (no watch); call on the event loop. */
    void getData(String path) {
        int id = xid++;
        byte[] request = JuteFrames.request(id, OpCode.GET_DATA.code(), new GetDataRequest(path, false));
        pending.add(new long[] {id, System.nanoTime()});
        write(request);
    }

    /**
     * Ends the session as {@code ZooKeeper.close()} does: sends {@code closeSession} and closes the connection when
     * its reply arrives (without it the ensemble would keep the session until it expires). Call on the event loop,
     * after the handshake, with no request outstanding.
     *
     * @return completes when the connection is closed
     */
    CompletableFuture<Void> closeSession() {
        closeXid = xid++;
        write(JuteFrames.request(closeXid, OpCode.CLOSE_SESSION.code()));
        return closed;
    }

    private void write(byte[] frame) {
        channel.writeAndFlush(channel.alloc().buffer(frame.length).writeBytes(frame));
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
