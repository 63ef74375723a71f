package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.config.HostPort;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The data the proxy serves for {@code /zookeeper/config}, in the format of ZooKeeper's
 * {@code QuorumVerifier.toString()}: one {@code server.N=host:port:port2:participant;host:port} line per advertised
 * proxy address, then {@code version=0}. Curator's {@code EnsembleTracker} parses it with ZooKeeper's
 * {@code QuorumMaj} and turns the client addresses after the {@code ;} into the client's new connect string, so the
 * tenant's client keeps talking to proxies only. The quorum and election ports before the {@code ;} are placeholders
 * (a proxy has neither), but must differ: {@code QuorumPeer.QuorumServer} refuses a line whose two are equal, and the
 * tracker would then fail on the whole config. With no address to advertise the data is empty, which the tracker
 * ignores (the client keeps its own connect string).
 */
final class EnsembleConfigData {
    private EnsembleConfigData() {
    }

    static byte[] of(List<HostPort> advertised) {
        StringBuilder sb = new StringBuilder();
        int id = 1;
        for (HostPort a : advertised) {
            int electionPort = a.port() < 65535 ? a.port() + 1 : a.port() - 1;
            sb.append("server.").append(id++).append('=').append(a).append(':').append(electionPort)
                    .append(":participant;").append(a).append('\n');
        }
        if (!advertised.isEmpty()) {
            sb.append("version=0\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
