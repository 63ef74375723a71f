package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.SystemPropertyUtil;

/** The Netty transport: native epoll where the platform has it, NIO elsewhere. */
record Transport(String name, IoHandlerFactory ioHandler, Class<? extends ServerChannel> serverChannel,
                 Class<? extends Channel> channel) {

    static Transport best() {
        if (Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                    EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /**
     * Event-loop threads for the client and upstream channels: one per two cores, at least one. The proxy's handlers
     * never block and most of its cost is socket system calls, so fewer loops that each find more ready channels per
     * wake-up do better than Netty's default of two per core, and leave cores to the kernel and to a co-located
     * ensemble: on 2 cores, getData through the proxy reached 0.96 of direct with 1 loop, 0.84 with 2, 0.75 with 4
     * (docs/BENCHMARKS.md, "Load: direct vs proxy"). The system property {@code io.netty.eventLoopThreads} overrides it.
     */
    static int ioThreads() {
        return Math.max(1, SystemPropertyUtil.getInt("io.netty.eventLoopThreads",
                NettyRuntime.availableProcessors() / 2));
    }

    EventLoopGroup group(int threads, String name) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), ioHandler);
    }
}
