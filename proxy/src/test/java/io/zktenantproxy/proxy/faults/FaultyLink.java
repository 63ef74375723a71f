package io.zktenantproxy.proxy.faults;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP link between two parties of the fault-injection suite (a client and a proxy replica, or a proxy
 * replica and a ZooKeeper server) that the nemesis can break: {@link #cut} resets every connection and refuses new
 * ones for a while, {@link #delay} holds every chunk of bytes for a while before passing it on, in order. The link
 * forwards bytes unchanged and parses nothing, like a network would.
 *
 * <p>Cuts are resets, not silent drops: a silent partition of a proxy is what {@code SIGSTOP} of its process gives,
 * and the nemesis has that fault too.
 */
final class FaultyLink implements AutoCloseable {
    private final String name;
    private final EventLoopGroup loop;
    private final int targetPort;
    private final Channel listener;
    private final Set<Channel> open = ConcurrentHashMap.newKeySet();
    private volatile long cutUntilNanos;
    private volatile long delayNanos;

    private FaultyLink(String name, EventLoopGroup loop, int targetPort, int port) throws InterruptedException {
        this.name = name;
        this.loop = loop;
        this.targetPort = targetPort;
        this.listener = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel inbound) {
                        accept(inbound);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
    }

    /**
     * Opens a link on {@code port} (0 for a free one) of the loopback address to {@code 127.0.0.1:targetPort}, whose
     * listener may come and go meanwhile (a connection made while it is down is closed, as a refused one would be).
     *
     * @param name shown in the nemesis's log ({@code "client A->proxy-1"})
     * @param loop the event loop group shared by every link of a run
     */
    static FaultyLink open(String name, EventLoopGroup loop, int port, int targetPort) throws InterruptedException {
        return new FaultyLink(name, loop, targetPort, port);
    }

    /** @return the loopback port the link listens on */
    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** @return the name it was opened with */
    String name() {
        return name;
    }

    /** Resets every connection now and resets each new one until {@code duration} has passed. */
    void cut(Duration duration) {
        cutUntilNanos = System.nanoTime() + duration.toNanos();
        for (Channel c : open) {
            c.close();
        }
    }

    /** Holds every chunk of bytes, both ways, {@code latency} before passing it on; {@link Duration#ZERO} heals. */
    void delay(Duration latency) {
        delayNanos = latency.toNanos();
    }

    /** Ends a delay; a cut ends by itself. */
    void heal() {
        delayNanos = 0;
        cutUntilNanos = 0;
    }

    private void accept(SocketChannel inbound) {
        if (System.nanoTime() - cutUntilNanos < 0) {
            inbound.close();
            return;
        }
        open.add(inbound);
        inbound.closeFuture().addListener(f -> open.remove(inbound));
        new Bootstrap()
                .group(inbound.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel outbound) {
                        outbound.pipeline().addLast(new Pump(inbound));
                    }
                })
                .connect("127.0.0.1", targetPort)
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        inbound.close();
                        return;
                    }
                    Channel outbound = f.channel();
                    open.add(outbound);
                    outbound.closeFuture().addListener(c -> {
                        open.remove(outbound);
                        inbound.close();
                    });
                    inbound.pipeline().addLast(new Pump(outbound));
                    inbound.closeFuture().addListener(c -> outbound.close());
                    inbound.read();
                    outbound.read();
                });
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        for (Channel c : open) {
            c.close();
        }
    }

    /**
     * Copies what one side reads to the other, reading the next chunk once the last is written, so that a slow
     * side slows the other down as TCP would. During a delay each chunk is written when its hold ends; the deadlines
     * only grow, so chunks keep their order even when the delay changes.
     */
    private final class Pump extends ChannelInboundHandlerAdapter {
        private final Channel to;
        private long lastDeadline;

        Pump(Channel to) {
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf chunk = (ByteBuf) msg;
            long hold = delayNanos;
            if (hold == 0 && lastDeadline - System.nanoTime() <= 0) {
                write(ctx, chunk);
                return;
            }
            long deadline = Math.max(System.nanoTime() + hold, lastDeadline);
            lastDeadline = deadline;
            ctx.executor().schedule(() -> write(ctx, chunk), deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            ctx.read();
        }

        private void write(ChannelHandlerContext ctx, ByteBuf chunk) {
            if (!to.isActive()) {
                ReferenceCountUtil.release(chunk);
                return;
            }
            to.writeAndFlush(chunk).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.read();
                } else {
                    ctx.close();
                }
            });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
