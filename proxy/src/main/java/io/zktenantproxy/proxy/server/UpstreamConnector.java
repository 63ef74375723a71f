package io.zktenantproxy.proxy.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.tls.UpstreamTls;
import io.netty.handler.ssl.SslHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the upstream connection for one client connection. Like ZooKeeper's {@code StaticHostProvider}, the servers
 * of the connect string are tried in a shuffled order, moving to the next when one refuses or times out; each client
 * connection gets its own shuffle, which spreads a tenant's sessions across the ensemble.
 *
 * <p>The upstream channel is registered on the client channel's own event loop (as in Netty's proxy example), so the
 * two channels and their shared state need no locks.
 *
 * <p>With {@link UpstreamTls} a server counts as connected only once the TLS handshake has finished (its certificate
 * chains to the CA and, with hostname verification, names the host dialled); a failed handshake is logged, counted
 * as a failed connect, and the next server is tried. The connection's own handlers are added only then, so they
 * never see a channel that failed its handshake.
 */
final class UpstreamConnector implements UpstreamDialer {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnector.class);
    private final List<HostPort> servers;
    private final Transport transport;
    private final int connectTimeoutMs;
    private final ProxyMetrics metrics;
    private final UpstreamTls tls;

    /** @param tls TLS to the servers, or null for plain TCP */
    UpstreamConnector(String connectString, Transport transport, int connectTimeoutMs, ProxyMetrics metrics,
                      UpstreamTls tls) {
        List<HostPort> parsed = new ArrayList<>();
        for (String server : connectString.split(",")) {
            parsed.add(HostPort.parse(server));
        }
        this.servers = List.copyOf(parsed);
        this.transport = transport;
        this.connectTimeoutMs = connectTimeoutMs;
        this.metrics = metrics;
        this.tls = tls;
    }

    /** Tries every server of the connect string once, in this connection's shuffled order. */
    @Override
    public void dial(EventLoop loop, Supplier<ChannelHandler> pipeline, Consumer<Channel> onConnected,
                 Runnable onFailed) {
        List<HostPort> order = new ArrayList<>(servers);
        Collections.shuffle(order, ThreadLocalRandom.current());
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.channel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024));
        attempt(bootstrap, order, 0, pipeline, onConnected, onFailed);
    }

    private void attempt(Bootstrap bootstrap, List<HostPort> order, int index, Supplier<ChannelHandler> pipeline,
                         Consumer<Channel> onConnected, Runnable onFailed) {
        if (index == order.size()) {
            onFailed.run();
            return;
        }
        HostPort server = order.get(index);
        Runnable next = () -> attempt(bootstrap, order, index + 1, pipeline, onConnected, onFailed);
        if (tls == null) {
            bootstrap.clone().handler(pipeline.get()).connect(server.host(), server.port())
                    .addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            onConnected.accept(f.channel());
                        } else {
                            metrics.upstreamConnectFailed(server.toString());
                            next.run();
                        }
                    });
            return;
        }
        bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc(), server.host(), server.port()));
            }
        }).connect(server.host(), server.port()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                metrics.upstreamConnectFailed(server.toString());
                next.run();
                return;
            }
            Channel channel = f.channel();
            channel.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    channel.pipeline().addLast(pipeline.get());
                    onConnected.accept(channel);
                } else {
                    LOG.warn("upstream {}: TLS handshake failed: {}", server, handshake.cause().getMessage());
                    metrics.upstreamConnectFailed(server.toString());
                    channel.close();
                    next.run();
                }
            });
        });
    }
}
