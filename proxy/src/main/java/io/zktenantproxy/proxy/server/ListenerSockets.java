package io.zktenantproxy.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.unix.Errors;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The proxy's bound listener sockets, by tenant name (or {@code shared}): binds them on the proxy's event loops with
 * the connection pipeline of {@link ConnectionInitializer}, and closes them. A reload binds and closes some while the
 * proxy runs; thread-safe.
 */
final class ListenerSockets {
    /**
     * How long after closing one of its listeners the proxy retries binding that port while the system says it is in
     * use. A closed listener's socket is released later than its close completes on some transports: NIO closes a
     * socket registered with a selector at the selector's next wake-up, io_uring when the cancel of its accept
     * completes; a reload that gives the port to another tenant (or back) would otherwise be refused. A port the proxy
     * did not just close is refused at once.
     */
    private static final Duration RELEASE_BOUND = Duration.ofSeconds(2);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(20);
    /** Linux's errno for "address already in use". */
    private static final int EADDRINUSE = 98;
    private final Map<String, Channel> bound = new ConcurrentHashMap<>();
    /** Ports of listeners this proxy closed, and when (System.nanoTime()); entries are replaced, never many. */
    private final Map<Integer, Long> closed = new ConcurrentHashMap<>();
    private volatile boolean shutDown;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Transport transport;
    private final Supplier<ProxyContext> contexts;
    private final ProxyMetrics metrics;
    private final Function<String, Tenant> tenants;

    /**
     * @param contexts what a connection accepted now shares (replaced by reloads)
     * @param tenants  the tenant of a listener's name as last configured, null once removed
     */
    ListenerSockets(EventLoopGroup boss, EventLoopGroup workers, Transport transport, Supplier<ProxyContext> contexts,
                    ProxyMetrics metrics, Function<String, Tenant> tenants) {
        this.boss = boss;
        this.workers = workers;
        this.transport = transport;
        this.contexts = contexts;
        this.metrics = metrics;
        this.tenants = tenants;
    }

    /**
     * Binds {@code listener} on {@code address}; not yet kept ({@link #put} it).
     *
     * @return the bound listener channel
     * @throws IllegalStateException if the address cannot be bound (in use, not local)
     */
    Channel bind(Listener listener, HostPort address) {
        LongConsumer onAcceptsPaused = paused -> {
            Tenant tenant = tenants.apply(listener.name());
            if (tenant != null) {
                tenant.meters().acceptsPaused(paused);
            }
        };
        Long closedAt = closed.get(address.port());
        boolean ours = closedAt != null;
        long retryUntil = ours ? closedAt + RELEASE_BOUND.toNanos() : 0;
        while (true) {
            try {
                return bootstrap(listener, onAcceptsPaused).bind(address.host(), address.port()).sync().channel();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while binding " + address, e);
            } catch (Exception e) {
                if (ours && inUse(e) && System.nanoTime() - retryUntil < 0) {
                    LockSupport.parkNanos(RETRY_PAUSE.toNanos()); // our own listener, still releasing the port
                    continue;
                }
                throw new IllegalStateException("listener " + listener.name() + ": cannot listen on " + address
                        + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Whether a bind failed because the address is in use: the JDK's BindException (NIO), or the native transports'
     * error -98, Linux's EADDRINUSE (by number: the message is {@code strerror}'s, in the process's locale).
     */
    private static boolean inUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException
                    || (t instanceof Errors.NativeIoException n && n.expectedErr() == -EADDRINUSE)) {
                return true;
            }
        }
        return false;
    }

    private ServerBootstrap bootstrap(Listener listener, LongConsumer onAcceptsPaused) {
        Limits limits = contexts.get().limits();
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (limits.connectionsPerSecond() > 0) {
            bootstrap.handler(new AcceptPacer(limits.connectionsPerSecond(), onAcceptsPaused));
            // One accept per read: NIO accepts up to 16 connections before it hands the first to the pipeline, so a
            // pause would let the rest through (measured: 20 connections in 0.21 s at a budget of 5 a second). With
            // one, the pause takes effect at the next connection on every transport (io_uring: Transport).
            bootstrap.option(ChannelOption.RECVBUF_ALLOCATOR, new ServerChannelRecvByteBufAllocator()
                    .maxMessagesPerRead(1));
        }
        return bootstrap
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ConnectionInitializer(listener, contexts, metrics, slots(listener, limits)));
    }

    /** @return the handshake admission of a listener bound now, or null when {@code limits} set none */
    private HandshakeSlots slots(Listener listener, Limits limits) {
        if (limits.maxHandshakesInProgress() <= 0) {
            return null;
        }
        return new HandshakeSlots(listener.name(), limits.maxHandshakesInProgress(), limits.handshakeWaitMs(),
                metrics.listener(listener.name()));
    }

    /**
     * Keeps a bound listener under {@code name}; once {@link #closeAll} has run (a reload that was still binding when
     * the proxy shut down) the listener is closed instead, so that no port outlives the proxy.
     */
    void put(String name, Channel channel) {
        bound.put(name, channel);
        if (shutDown) {
            bound.remove(name, channel);
            discard(channel);
        }
    }

    /** Closes a listener that was bound but never kept (a refused reload), noting its port as {@link #close} does. */
    void discard(Channel listener) {
        remember(listener);
        listener.close().syncUninterruptibly();
    }

    /** Closes and forgets the listener of {@code name}, if any; returns once it no longer accepts. */
    void close(String name) {
        Channel old = bound.remove(name);
        if (old != null) {
            remember(old);
            old.close().syncUninterruptibly();
        }
    }

    /** @return whether a listener of that name is kept */
    boolean has(String name) {
        return bound.containsKey(name);
    }

    /** @return the address the listener of {@code name} is bound to, if there is one */
    Optional<InetSocketAddress> address(String name) {
        Channel channel = bound.get(name);
        return Optional.ofNullable(channel == null ? null : (InetSocketAddress) channel.localAddress());
    }

    /** @return whether every kept listener is open */
    boolean allActive() {
        return bound.values().stream().allMatch(Channel::isActive);
    }

    /**
     * Closes every listener (shutdown) and waits, up to {@code within} in all, until each has closed. The wait is what
     * gives the ports back: on io_uring a listener whose close is still in flight when its event loop shuts down keeps
     * its socket listening (measured: 15 of 20 such listeners still held their port after the loop had terminated),
     * so a proxy started next on the same port could not bind it.
     */
    void closeAll(Duration within) {
        shutDown = true;
        long deadline = System.nanoTime() + within.toNanos();
        bound.values().forEach(this::remember);
        List<ChannelFuture> closing = bound.values().stream().map(Channel::close).toList();
        for (ChannelFuture f : closing) {
            f.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }

    /** Notes that the proxy is closing {@code listener}'s port now (before the close: a closed channel may not say). */
    private void remember(Channel listener) {
        if (listener.localAddress() instanceof InetSocketAddress address) {
            closed.put(address.getPort(), System.nanoTime());
        }
    }
}
