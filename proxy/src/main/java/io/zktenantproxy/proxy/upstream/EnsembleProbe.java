package io.zktenantproxy.proxy.upstream;

import io.zktenantproxy.protocol.EnsembleFeatures;
import io.zktenantproxy.protocol.EnsembleVersion;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks each server of the connect string its release with the {@code srvr} four-letter word (allowed by default
 * since 3.5.3, unlike every other word) over plain TCP, and takes the oldest answer: during a rolling upgrade the
 * proxy may reach any server, so it may use only what the oldest implements. Servers that do not answer in time, or
 * answer without a version (not whitelisted), are skipped; none answering leaves the release unknown.
 */
public final class EnsembleProbe {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleProbe.class);
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private EnsembleProbe() {
    }

    /**
     * The ensemble's release for the proxy's connections: configured ({@code upstream.version}), else asked of the
     * servers with {@code srvr} (plain TCP only: over TLS the release must be configured), else unknown and every
     * opcode forwarded. Logs which, once.
     *
     * @throws IllegalStateException if a server answers with a release older than
     *     {@link EnsembleVersion#OLDEST_SUPPORTED} (3.4: the proxy's own client would get -6 for its first create)
     */
    public static EnsembleFeatures features(ProxyConfig config) {
        String configured = config.upstream().version();
        Optional<EnsembleVersion> version = configured != null ? Optional.of(EnsembleVersion.parse(configured))
                : config.upstream().tls() != null ? Optional.empty()
                : oldest(config.connectString(), Duration.ofSeconds(2));
        if (version.isPresent() && !version.get().supported()) {
            throw new IllegalStateException("the ensemble at " + config.connectString() + " runs ZooKeeper "
                    + version.get() + " (srvr); the proxy needs " + EnsembleVersion.OLDEST_SUPPORTED + " or later: "
                    + "3.4 lacks create2, containers and TTL nodes, which the proxy and every 3.5+ client use");
        }
        if (version.isPresent()) {
            LOG.info("ensemble release {} ({}): opcodes it lacks are answered UNIMPLEMENTED by the proxy",
                    version.get(), configured != null ? "upstream.version" : "srvr");
        } else {
            LOG.info("ensemble release unknown (no srvr answer{}; set upstream.version): every opcode is forwarded",
                    config.upstream().tls() != null ? " asked over TLS" : "");
        }
        return version.map(EnsembleFeatures::of).orElseGet(EnsembleFeatures::unknown);
    }

    /**
     * @param connectString the ensemble, {@code host:port,...}
     * @param timeout       longest wait per server (connect, then the whole answer)
     * @return the oldest release that answered, or empty when none did
     */
    public static Optional<EnsembleVersion> oldest(String connectString, Duration timeout) {
        EnsembleVersion oldest = null;
        for (String server : connectString.split(",")) {
            Optional<EnsembleVersion> version = ask(HostPort.parse(server), timeout);
            if (version.isPresent() && (oldest == null || version.get().compareTo(oldest) < 0)) {
                oldest = version.get();
            }
        }
        return Optional.ofNullable(oldest);
    }

    private static Optional<EnsembleVersion> ask(HostPort server, Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(server.host(), server.port()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
            Optional<EnsembleVersion> version = EnsembleVersion.fromSrvr(answer);
            if (version.isEmpty()) {
                LOG.info("upstream {}: srvr gave no version ({})", server, answer.strip());
            }
            return version;
        } catch (IOException e) {
            LOG.info("upstream {}: no srvr answer ({})", server, e.toString());
            return Optional.empty();
        }
    }
}
