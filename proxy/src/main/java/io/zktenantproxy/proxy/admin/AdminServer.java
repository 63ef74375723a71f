package io.zktenantproxy.proxy.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.flink.FlinkHaScanner;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.tree.TreeReader;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server (Netty's HTTP codec): {@code /healthz}, {@code /readyz}, {@code /metrics}, the tenant
 * endpoints (tree, Flink HA view) and the browser page of {@link AdminRoutes}. Read-only; meant for loopback,
 * optionally protected by a bearer token. Runs on its own single thread so a slow scrape never touches the proxy's
 * event loops; tree and Flink reads use the proxy's own ZooKeeper client ({@link ProxyServer#operatorClient()},
 * authenticated as the operator when one is configured) and ZooKeeper's asynchronous API, so they never block that
 * thread either.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds the admin server.
     *
     * @param listen where to listen; port 0 picks a free one ({@link #address()})
     * @param token when non-null, requests must send {@code Authorization: Bearer <token>}
     * @param proxy what the routes report on; its own ZooKeeper client reads the trees
     * @throws IllegalStateException if the address cannot be bound
     */
    public static AdminServer start(HostPort listen, String token, ProxyServer proxy) {
        return start(listen, token, proxy, null);
    }

    /**
     * {@link #start(HostPort, String, ProxyServer)} with {@code POST /reload}.
     *
     * @param reloader re-reads and applies the configuration file; null when the proxy runs from flags
     */
    public static AdminServer start(HostPort listen, String token, ProxyServer proxy,
                                    java.util.function.Supplier<io.zktenantproxy.proxy.server.ReloadStatus> reloader) {
        return start(listen, token, proxy, reloader, new FlinkHaScanner(proxy.operatorClient()));
    }

    /**
     * {@link #start(HostPort, String, ProxyServer, java.util.function.Supplier)} with the process's Flink scanner.
     *
     * @param flink the scanner of {@code /tenants/{name}/flink}; one per process, since it remembers clusters across
     *              scans for the orphan decision (share it with whatever else scans)
     */
    public static AdminServer start(HostPort listen, String token, ProxyServer proxy,
                                    java.util.function.Supplier<io.zktenantproxy.proxy.server.ReloadStatus> reloader,
                                    FlinkHaScanner flink) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("zktp-admin", true),
                NioIoHandler.newFactory());
        TreeRoute trees = new TreeRoute(proxy, new TreeReader(proxy.operatorClient()));
        AdminRoutes routes = new AdminRoutes(proxy, trees, new FlinkRoute(proxy, flink), token, reloader);
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                    new AdminHandler(routes));
                        }
                    })
                    .bind(listen.host(), listen.port()).sync().channel();
            LOG.info("admin HTTP on {}{}", channel.localAddress(), token == null ? "" : " (token required)");
            return new AdminServer(group, channel);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("admin: cannot listen on " + listen + ": " + e.getMessage(), e);
        }
    }

    /** @return the bound address (with the real port when 0 was asked) */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops listening (the ZooKeeper client is the proxy's, closed with it). */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
