package io.zktenantproxy.proxy.server;

import io.netty.channel.group.ChannelGroup;
import io.zktenantproxy.protocol.EnsembleFeatures;
import io.zktenantproxy.proxy.config.Limits;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every client connection shares: limits, the way upstream ({@link UpstreamDialer}), the
 * {@link SessionGate}, the group of open client channels (closed together at shutdown), the shutdown flag, and what
 * the ensemble implements ({@link EnsembleFeatures}, learnt while the proxy runs).
 */
record ProxyContext(Limits limits, UpstreamDialer dialer, SessionGate gate,
                    ChannelGroup clients, AtomicBoolean shuttingDown, EnsembleFeatures ensemble) {
}
