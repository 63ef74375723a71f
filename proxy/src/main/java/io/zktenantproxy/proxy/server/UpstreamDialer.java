package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Opens the upstream channel of one client connection. {@link UpstreamConnector} dials the ensemble's servers; the
 * handler tests plug in a dialer that hands back an {@code EmbeddedChannel}, so the whole handler layer runs without
 * a socket.
 */
interface UpstreamDialer {
    /**
     * Starts connecting; exactly one of the callbacks runs, on {@code loop}.
     *
     * @param loop        the client channel's event loop: the upstream channel must be registered on it, so the two
     *                    channels share their state without locks
     * @param pipeline    makes the upstream channel's handler, once per attempt
     * @param onConnected receives the active upstream channel
     * @param onFailed    runs once no server accepted a connection
     */
    void dial(EventLoop loop, Supplier<ChannelHandler> pipeline, Consumer<Channel> onConnected, Runnable onFailed);
}
