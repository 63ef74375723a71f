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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.SystemPropertyUtil;
import io.zktenantproxy.proxy.config.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty transport the client and upstream channels run on, one of {@link ServerConfig#TRANSPORTS}: io_uring
 * (submits reads and writes to the kernel in batches through shared rings), native epoll, or the JDK's NIO.
 *
 * @param name          what the start-up line and {@code /tenants} show: {@code io_uring}, {@code epoll} or
 *                      {@code nio}
 * @param ioHandler     the event loops' I/O handler
 * @param serverChannel the listeners' channel class
 * @param channel       the client-side (upstream) channel class
 * @param passedOver    for {@code auto}, why each better transport was not taken (one entry each); else empty
 */
public record Transport(String name, IoHandlerFactory ioHandler, Class<? extends ServerChannel> serverChannel,
                        Class<? extends Channel> channel, List<String> passedOver) {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    private static final String ACCEPT_MULTISHOT = "io.netty.iouring.acceptMultiShotEnabled";

    /**
     * The transport {@code requested} names, checked to start on this machine.
     *
     * @param requested {@code auto} (io_uring, else epoll, else NIO), or a transport's name
     * @throws IllegalArgumentException naming the transport and the kernel's or library's reason when a named transport
     *                                  cannot start here (never a silent fallback), or when the name is unknown
     */
    public static Transport select(String requested) {
        return switch (requested) {
            case "auto" -> auto();
            case "io_uring" -> ioUring().orElseThrow(() -> unavailable("io_uring", IoUring.unavailabilityCause()));
            case "epoll" -> epoll().orElseThrow(() -> unavailable("epoll", Epoll.unavailabilityCause()));
            case "nio" -> nio(List.of());
            default -> throw new IllegalArgumentException("transport '" + requested + "' (expected one of "
                    + String.join(", ", ServerConfig.TRANSPORTS) + ")");
        };
    }

    private static Transport auto() {
        List<String> passedOver = new ArrayList<>();
        var ioUring = ioUring();
        if (ioUring.isPresent()) {
            return ioUring.get();
        }
        passedOver.add("io_uring: " + reason(IoUring.unavailabilityCause()));
        var epoll = epoll();
        if (epoll.isPresent()) {
            return epoll.get().passingOver(passedOver);
        }
        passedOver.add("epoll: " + reason(Epoll.unavailabilityCause()));
        return nio(passedOver);
    }

    private static Optional<Transport> ioUring() {
        keepAcceptsSingleShot();
        if (!IoUring.isAvailable()) {
            return Optional.empty();
        }
        return Optional.of(new Transport("io_uring", IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class, IoUringSocketChannel.class, List.of()));
    }

    /**
     * Netty's io_uring accepts with one multishot request by default: the kernel then hands over every connection in
     * the accept queue at once, and they reach the listener even after it turned auto-read off, so {@link AcceptPacer}
     * could not hold a burst in the kernel's queue (measured: 20 connections accepted in 0.22 s at a budget of 5 a
     * second). With single-shot accepts a listener that stops reading stops accepting, as on epoll and NIO. This is
     * Netty's own switch ({@code io.netty.iouring.acceptMultiShotEnabled}), read once when its io_uring classes load,
     * so it is set before they do; an operator's explicit value is kept.
     */
    private static void keepAcceptsSingleShot() {
        if (System.getProperty(ACCEPT_MULTISHOT) == null) {
            System.setProperty(ACCEPT_MULTISHOT, "false");
        }
    }

    private static Optional<Transport> epoll() {
        if (!Epoll.isAvailable()) {
            return Optional.empty();
        }
        return Optional.of(new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, List.of()));
    }

    private static Transport nio(List<String> passedOver) {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class,
                List.copyOf(passedOver));
    }

    private Transport passingOver(List<String> reasons) {
        return new Transport(name, ioHandler, serverChannel, channel, List.copyOf(reasons));
    }

    /**
     * @param name {@code io_uring}, {@code epoll} or {@code nio}
     * @return why that transport cannot start on this machine (the kernel's or library's reason), or null when it can
     */
    public static String unavailability(String name) {
        return switch (name) {
            case "io_uring" -> ioUring().isPresent() ? null : reason(IoUring.unavailabilityCause());
            case "epoll" -> Epoll.isAvailable() ? null : reason(Epoll.unavailabilityCause());
            case "nio" -> null;
            default -> throw new IllegalArgumentException("transport '" + name + "'");
        };
    }

    private static IllegalArgumentException unavailable(String name, Throwable cause) {
        return new IllegalArgumentException("transport " + name + " cannot start on this machine: " + reason(cause)
                + " (server.transport / --transport / ZKTP_TRANSPORT; 'auto' picks the best that starts)");
    }

    /** The innermost cause's message: the kernel's refusal (e.g. io_uring_setup: Operation not permitted). */
    private static String reason(Throwable cause) {
        if (cause == null) {
            return "unavailable";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == cause ? message : cause.getClass().getSimpleName() + ": " + message;
    }

    /**
     * Logs, once, what {@code auto} passed over and why (nothing when its first choice started), and warns when
     * io_uring accepts multishot after all (an operator's explicit {@code io.netty.iouring.acceptMultiShotEnabled}).
     */
    void logChoice(String requested) {
        if (name.equals("io_uring") && IoUring.isAcceptMultishotEnabled()) {
            LOG.warn("io_uring accepts multishot ({} is not false): a tenant's connectionsPerSecond cannot hold a "
                    + "burst of connections in the kernel's accept queue", ACCEPT_MULTISHOT);
        }
        if (!passedOver.isEmpty()) {
            LOG.info("transport {} runs on {}, having passed over {}", requested, name,
                    String.join("; ", passedOver));
        }
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
