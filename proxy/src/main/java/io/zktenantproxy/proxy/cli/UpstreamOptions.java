package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Options every tree-reading subcommand shares: how to authenticate and how long to wait. Mixed into
 * {@link TreeCommand} and {@link DuCommand}.
 */
final class UpstreamOptions {
    @Option(names = "--digest", defaultValue = "${env:ZKTP_DIGEST}", paramLabel = "USER:PASSWORD",
            description = "Authenticate with the digest scheme, e.g. as the proxy's operator identity, to read nodes "
                    + "whose ACL would hide them (env ZKTP_DIGEST).")
    String digest;

    @Option(names = "--timeout-ms", defaultValue = "30000",
            description = "Longest wait for the connection, and for each walk, ms (default ${DEFAULT-VALUE}).")
    int timeoutMs;

    @Option(names = "--max-nodes", defaultValue = "1000000",
            description = "Most nodes one walk may visit; past it the command fails (default ${DEFAULT-VALUE}).")
    int maxNodes;

    Duration timeout() {
        return Duration.ofMillis(timeoutMs);
    }

    /**
     * @return a connected client of the command's own, for the caller to close; or null after printing why not to
     *         {@code err}
     */
    OperatorClient connect(String upstream, PrintWriter err) throws InterruptedException {
        OperatorClient client = OperatorClient.start(upstream, digest);
        if (!client.awaitConnected(timeout())) {
            client.close();
            err.println("error: cannot connect to " + upstream + " within " + timeoutMs + " ms");
            return null;
        }
        return client;
    }
}
