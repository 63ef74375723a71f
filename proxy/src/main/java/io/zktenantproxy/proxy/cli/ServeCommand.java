package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.config.AdminConfig;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.ConfigValidator;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.ServerConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.TlsConfig;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import io.zktenantproxy.proxy.embedded.EmbeddedZooKeeper;
import io.zktenantproxy.proxy.runtime.ProxyRuntime;
import io.zktenantproxy.proxy.server.ProxyTls;
import io.zktenantproxy.proxy.server.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs the proxy until SIGTERM/SIGINT. Sidecar mode by flags (one tenant), shared mode by {@code --config FILE}
 * (many tenants, one port each). Every flag can also come from an environment variable, for containers.
 * With no upstream, an embedded ZooKeeper is started with its data under {@code --data-dir}.
 */
@Command(name = "zk-tenant-proxy", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = "A ZooKeeper proxy that gives every tenant a chroot of its own on a shared ensemble.",
        subcommands = {CheckConfigCommand.class, TreeCommand.class, DuCommand.class, FlinkCommand.class,
            MigrateAclsCommand.class, ReloadCommand.class, TransportsCommand.class})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--listen", defaultValue = "${env:ZKTP_LISTEN:-0.0.0.0:7451}",
            description = "HOST:PORT the tenant's clients connect to (env ZKTP_LISTEN; default ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--upstream", defaultValue = "${env:ZKTP_UPSTREAM}", paramLabel = "CONNECT_STRING",
            description = "ZooKeeper ensemble, host:port,host:port,... (env ZKTP_UPSTREAM). "
                    + "Absent: an embedded ZooKeeper is started.")
    String upstream;

    @Option(names = "--upstream-secret-file", defaultValue = "${env:ZKTP_UPSTREAM_SECRET_FILE}", paramLabel = "FILE",
            description = "The upstream secret (mode 600), from which each tenant's ZooKeeper identity is derived; "
                    + "with it, the ensemble refuses clients that go around the proxy (env ZKTP_UPSTREAM_SECRET_FILE; "
                    + "overrides upstream.secretFile of --config). Absent: the ensemble stays open to direct clients.")
    String upstreamSecretFile;

    @Option(names = "--tenant", defaultValue = "${env:ZKTP_TENANT:-default}",
            description = "Tenant name (env ZKTP_TENANT; default ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = "--chroot", defaultValue = "${env:ZKTP_CHROOT}", paramLabel = "PATH",
            description = "The tenant's chroot (env ZKTP_CHROOT; default /tenants/NAME).")
    String chroot;

    @Option(names = "--advertised", defaultValue = "${env:ZKTP_ADVERTISED}", split = ",", paramLabel = "HOST:PORT",
            description = "Proxy addresses served as /zookeeper/config (env ZKTP_ADVERTISED, comma-separated).")
    List<String> advertised;

    @Option(names = "--admin", defaultValue = "${env:ZKTP_ADMIN:-127.0.0.1:7452}", paramLabel = "HOST:PORT",
            description = "Admin HTTP server: health, readiness, metrics (env ZKTP_ADMIN; default ${DEFAULT-VALUE}; "
                    + "'off' disables it).")
    String admin;

    @Option(names = "--admin-token-file", defaultValue = "${env:ZKTP_ADMIN_TOKEN_FILE}", paramLabel = "FILE",
            description = "A file holding the token every admin request but the probes' status line must carry "
                    + "(Authorization: Bearer; env ZKTP_ADMIN_TOKEN_FILE).")
    Path adminTokenFile;

    @Option(names = "--config", defaultValue = "${env:ZKTP_CONFIG}", paramLabel = "FILE",
            description = "YAML configuration for a shared proxy (env ZKTP_CONFIG). Replaces the sidecar flags; "
                    + "--upstream still overrides its upstream.")
    Path config;

    @Option(names = "--data-dir", defaultValue = "${env:ZKTP_DATA_DIR:-./data}",
            description = "Embedded ZooKeeper's directory (env ZKTP_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--embedded-port", defaultValue = "${env:ZKTP_EMBEDDED_PORT:-2181}",
            description = "Embedded ZooKeeper's client port on loopback (env ZKTP_EMBEDDED_PORT; default "
                    + "${DEFAULT-VALUE}).")
    int embeddedPort;

    @Option(names = "--requests-per-second", defaultValue = "${env:ZKTP_REQUESTS_PER_SECOND:-" + Limits.DEFAULT_REQUESTS_PER_SECOND + "}",
            paramLabel = "N", description = "The tenant's request budget on this instance; faster clients are slowed "
                    + "down, never refused (env ZKTP_REQUESTS_PER_SECOND; default ${DEFAULT-VALUE}; 0: none).")
    int requestsPerSecond;

    @Option(names = "--bytes-per-second", defaultValue = "${env:ZKTP_BYTES_PER_SECOND:-" + Limits.DEFAULT_BYTES_PER_SECOND + "}",
            paramLabel = "N", description = "The tenant's byte budget on this instance, requests and replies "
                    + "(env ZKTP_BYTES_PER_SECOND; default ${DEFAULT-VALUE}, 32 MiB; 0: none).")
    int bytesPerSecond;

    @Option(names = "--quota-znodes", defaultValue = "${env:ZKTP_QUOTA_ZNODES:-" + Limits.DEFAULT_QUOTA_ZNODES + "}",
            paramLabel = "N", description = "Znodes the tenant may keep on the ensemble, across all proxy instances; "
                    + "more creates are refused with QUOTAEXCEEDED (env ZKTP_QUOTA_ZNODES; default ${DEFAULT-VALUE}; "
                    + "0: none).")
    long quotaZnodes;

    @Option(names = "--quota-bytes", defaultValue = "${env:ZKTP_QUOTA_BYTES:-" + Limits.DEFAULT_QUOTA_BYTES + "}",
            paramLabel = "N", description = "Bytes the tenant may keep on the ensemble: data plus "
                    + Limits.DEFAULT_QUOTA_BYTES_PER_ZNODE + " per znode for its path and ACL list "
                    + "(env ZKTP_QUOTA_BYTES; default ${DEFAULT-VALUE}, 32 MiB; 0: none).")
    long quotaBytes;

    @Option(names = "--max-watches-per-session", defaultValue = "${env:ZKTP_MAX_WATCHES_PER_SESSION:-"
            + Limits.DEFAULT_MAX_WATCHES_PER_SESSION + "}", paramLabel = "N", description = "Watches one session may "
                    + "hold on the ensemble (env ZKTP_MAX_WATCHES_PER_SESSION; default ${DEFAULT-VALUE}; 0: none).")
    int maxWatchesPerSession;

    @Option(names = "--tls-cert", defaultValue = "${env:ZKTP_TLS_CERT}", paramLabel = "FILE",
            description = "The listener's certificate chain (PEM) or a PKCS12 file; makes the listener TLS "
                    + "(env ZKTP_TLS_CERT).")
    String tlsCert;

    @Option(names = "--tls-key", defaultValue = "${env:ZKTP_TLS_KEY}", paramLabel = "FILE",
            description = "The listener's private key, PKCS#8 PEM, RSA or EC (env ZKTP_TLS_KEY).")
    String tlsKey;

    @Option(names = "--tls-client-ca", defaultValue = "${env:ZKTP_TLS_CLIENT_CA}", paramLabel = "FILE",
            description = "CA certificates (PEM) of client certificates; makes a client certificate mandatory "
                    + "(mutual TLS; env ZKTP_TLS_CLIENT_CA).")
    String tlsClientCa;

    @Option(names = "--tls-client-identity", defaultValue = "${env:ZKTP_TLS_CLIENT_IDENTITY:-default}",
            paramLabel = "RULE", description = "Which tenant a client certificate names: 'default' (CN or a DNS SAN "
                    + "equal to the tenant name), or uri:|dns:|cn: and a template with {tenant}, e.g. "
                    + "uri:spiffe://platform/ns/{tenant}/sa/* (env ZKTP_TLS_CLIENT_IDENTITY; "
                    + "default ${DEFAULT-VALUE}).")
    String tlsClientIdentity;

    @Option(names = "--tls-provider", defaultValue = "${env:ZKTP_TLS_PROVIDER:-auto}", paramLabel = "auto|openssl|jdk",
            description = "TLS implementation, both hops: OpenSSL (BoringSSL) where it loads, else the JDK's "
                    + "(env ZKTP_TLS_PROVIDER; default ${DEFAULT-VALUE}).")
    String tlsProvider;

    @Option(names = "--transport", defaultValue = "${env:ZKTP_TRANSPORT}", paramLabel = "auto|io_uring|epoll|nio",
            description = "Netty transport of the client and upstream channels: io_uring, else epoll, else NIO for "
                    + "auto; a named one must start or the proxy does not (env ZKTP_TRANSPORT; overrides "
                    + "server.transport of --config; default auto).")
    String transport;

    @Mixin
    UpstreamTlsOptions upstreamTls = new UpstreamTlsOptions();

    @Override
    public Integer call() throws Exception {
        ProxyConfig proxyConfig;
        try {
            proxyConfig = configuration();
            if (proxyConfig.upstream().secretFile() != null) {
                UpstreamSecret.read(Path.of(proxyConfig.upstream().secretFile())); // refused before anything starts
            }
            ProxyTls.check(proxyConfig);
            Transport.select(proxyConfig.server().effectiveTransport()); // refused before anything starts
            if (proxyConfig.admin() != null) {
                proxyConfig.admin().resolvedToken(); // refused before anything starts, as the secret is
            }
        } catch (ConfigException e) {
            e.errors().forEach(error -> System.err.println("error: " + error));
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        EmbeddedZooKeeper embedded = null;
        if (proxyConfig.connectString() == null) {
            embedded = EmbeddedZooKeeper.start(Path.of(proxyConfig.dataDir()), embeddedPort);
            proxyConfig = proxyConfig.withUpstream(embedded.connectString());
        }
        EmbeddedZooKeeper upstreamOfEmbedded = embedded;
        ProxyRuntime.ConfigSource source = config == null ? null : () -> {
            ProxyConfig again = configuration();
            return upstreamOfEmbedded != null && again.connectString() == null
                    ? again.withUpstream(upstreamOfEmbedded.connectString()) : again;
        };
        Duration check = Duration.ofMillis(proxyConfig.tls() != null ? proxyConfig.tls().reloadCheckMs()
                : TlsConfig.DEFAULT_RELOAD_CHECK_MS);
        ProxyRuntime runtime = ProxyRuntime.start(proxyConfig, embedded, config, source, check);
        reloadOnSighup(runtime);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down: closing client connections so clients move to another proxy");
            runtime.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * SIGHUP re-reads every certificate file now, and the configuration file when there is one, as changes the
     * watchers see would (the JDK's signal API).
     */
    private static void reloadOnSighup(ProxyRuntime runtime) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                LOG.info("SIGHUP: reloading certificates{}", runtime.reloadable() ? " and the configuration" : "");
                runtime.proxy().tls().reload();
                if (runtime.reloadable()) {
                    runtime.reload();
                }
            });
        } catch (IllegalArgumentException e) {
            LOG.debug("no SIGHUP on this platform: {}", e.getMessage());
        }
    }

    private ProxyConfig configuration() throws ConfigException {
        if (transport != null && !ServerConfig.TRANSPORTS.contains(transport)) {
            throw new ConfigException(List.of("--transport (or ZKTP_TRANSPORT): '" + transport + "' (expected one of "
                    + String.join(", ", ServerConfig.TRANSPORTS) + ")"));
        }
        if (config != null) {
            ProxyConfig fromFile = ConfigLoader.load(config);
            fromFile = upstream != null ? fromFile.withUpstream(upstream) : fromFile;
            fromFile = upstreamTls.config() != null ? fromFile.withUpstreamTls(upstreamTls.config()) : fromFile;
            fromFile = transport != null ? fromFile.withServer(fromFile.server().withTransport(transport)) : fromFile;
            return checked(upstreamSecretFile != null ? fromFile.withSecretFile(upstreamSecretFile) : fromFile);
        }
        AdminConfig adminConfig = "off".equalsIgnoreCase(admin) ? null
                : new AdminConfig(admin, null).withTokenFile(adminTokenFile == null ? null : adminTokenFile.toString());
        ProxyConfig sidecar = new ProxyConfig(upstream, advertised, null, null, adminConfig, dataDir.toString(),
                List.of(new TenantConfig(tenant, chroot, listen, null, requestsPerSecond, bytesPerSecond, quotaZnodes,
                        quotaBytes, maxWatchesPerSession))).withSecretFile(upstreamSecretFile)
                .withUpstreamTls(upstreamTls.config()).withServer(new ServerConfig(transport));
        if (tlsCert != null) {
            sidecar = sidecar.withTls(TlsConfig.of(tlsCert, tlsKey).withClientCa(tlsClientCa)
                    .withClientIdentity(tlsClientIdentity).withProvider(tlsProvider));
        }
        return checked(sidecar);
    }

    /** The flags can make a valid file invalid (an unknown --transport), so the result is validated again. */
    private static ProxyConfig checked(ProxyConfig config) throws ConfigException {
        List<String> errors = ConfigValidator.validate(config);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return config;
    }
}
