package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options every subcommand that reads the ensemble shares: how to authenticate and how long to wait. Mixed into
 * {@link TreeCommand}, {@link DuCommand}, {@link FlinkCommand} and {@link MigrateAclsCommand}.
 */
final class UpstreamOptions {
    @Option(names = "--digest", defaultValue = "${env:ZKTP_DIGEST}", paramLabel = "USER:PASSWORD",
            description = "Authenticate with the digest scheme, e.g. as the proxy's operator identity, to read nodes "
                    + "whose ACL would hide them (env ZKTP_DIGEST).")
    String digest;

    @Option(names = "--upstream-secret-file", defaultValue = "${env:ZKTP_UPSTREAM_SECRET_FILE}", paramLabel = "FILE",
            description = "Authenticate as the platform identity derived from the proxy's upstream secret (used when "
                    + "the proxy has no operator identity configured; env ZKTP_UPSTREAM_SECRET_FILE).")
    Path secretFile;

    @Mixin
    UpstreamTlsOptions tlsOptions = new UpstreamTlsOptions();

    /** TLS to the ensemble from a proxy configuration, when no option gave one. */
    private UpstreamTlsConfig configTls;

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
        List<DigestCredential> credentials;
        try {
            credentials = credentials();
        } catch (ConfigException e) {
            e.errors().forEach(error -> err.println("error: " + error));
            return null;
        }
        return connect(upstream, credentials, err);
    }

    /**
     * @param credentials the identities to authenticate as, in order
     * @return a connected client authenticated as {@code credentials}, for the caller to close; or null after
     *         printing why not to {@code err}
     */
    OperatorClient connect(String upstream, List<DigestCredential> credentials, PrintWriter err)
            throws InterruptedException {
        OperatorClient client = OperatorClient.startWith(upstream, credentials, tls());
        if (!client.awaitConnected(timeout())) {
            client.close();
            err.println("error: cannot connect to " + upstream + " within " + timeoutMs + " ms");
            return null;
        }
        return client;
    }

    /**
     * Takes the platform's identity from a proxy configuration where no option gave one: its operator identity, else
     * its upstream secret file (the platform identity derived from it).
     */
    void defaultsFrom(ProxyConfig config) {
        defaultsFromTls(config);
        if (digest == null && config.operator() != null) {
            digest = config.operator().user() + ":" + config.operator().password();
        } else if (digest == null && secretFile == null && config.upstream().secretFile() != null) {
            secretFile = Path.of(config.upstream().secretFile());
        }
    }

    /** Takes TLS to the ensemble from a proxy configuration, where no option gave it. */
    void defaultsFromTls(ProxyConfig config) {
        configTls = config.upstream().tls();
    }

    /** @return TLS to the ensemble: from the options, else from the proxy configuration, else null (plain TCP) */
    UpstreamTlsConfig tls() {
        UpstreamTlsConfig fromOptions = tlsOptions.config();
        return fromOptions != null ? fromOptions : configTls;
    }

    /** @return the identities to authenticate as: {@code --digest}, then those {@code --upstream-secret-file} gives */
    List<DigestCredential> credentials() throws ConfigException {
        List<DigestCredential> credentials = new ArrayList<>(digestCredentials());
        if (secretFile != null) {
            credentials.addAll(Identities.of(UpstreamSecret.read(secretFile), null).platform());
        }
        return credentials;
    }

    /** @return the {@code --digest} identity, or none */
    List<DigestCredential> digestCredentials() {
        if (digest == null) {
            return List.of();
        }
        int colon = digest.indexOf(':');
        return List.of(colon < 0 ? new DigestCredential(digest, "")
                : new DigestCredential(digest.substring(0, colon), digest.substring(colon + 1)));
    }
}
