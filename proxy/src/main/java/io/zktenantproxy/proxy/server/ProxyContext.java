package io.zktenantproxy.proxy.server;

import io.netty.channel.group.ChannelGroup;
import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.proxy.config.Limits;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every client connection shares: limits, the way upstream, chroot creation, session bindings. */
record ProxyContext(Limits limits, AclPolicy aclPolicy, UpstreamConnector connector, ChrootProvisioner provisioner,
                    SessionRegistry sessions, ChannelGroup clients, AtomicBoolean shuttingDown) {
}
