package io.zktenantproxy.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zktenantproxy.protocol.EnsembleFeatures;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigValidator;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.TlsConfig;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import io.zktenantproxy.proxy.identity.Identities;
import io.zktenantproxy.proxy.identity.UpstreamAcls;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.quota.EnsembleUsageSource;
import io.zktenantproxy.proxy.quota.UsageSource;
import io.zktenantproxy.proxy.tls.ServerTls;
import io.zktenantproxy.proxy.upstream.EnsembleProbe;
import io.zktenantproxy.proxy.upstream.EnsembleReleaseWatch;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running proxy: one listener per tenant (plain or TLS), optionally one shared TLS listener where the client
 * certificate decides the tenant, each accepted connection relayed to the ensemble by a {@link Connection}. Start with {@link #start}; stop with {@link #close}, which stops accepting, closes every
 * client connection (clients then move to another proxy instance and resume their sessions) and returns within
 * about {@link #SHUTDOWN_BOUND}.
 */
public final class ProxyServer implements AutoCloseable {
    /** The longest {@link #close} waits for event loops to finish. */
    public static final Duration SHUTDOWN_BOUND = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final ProxyConfig config;
    private final ProxyTls tls;
    private final Identities identities;
    private final ProxyMetrics metrics;
    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final OperatorClient operatorClient;
    private final ChrootProvisioner provisioner;
    private final EnsembleReleaseWatch releaseWatch;
    private final SessionRegistry sessions;
    private final ExecutorService quotaExecutor;
    private final UsageSource usage;
    private final ProxyContext context;
    private final Map<String, Tenant> tenants = new LinkedHashMap<>();
    private final Map<String, InetSocketAddress> bound = new LinkedHashMap<>();
    private final List<Channel> listeners = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProxyServer(ProxyConfig config, ProxyTls tls, Identities identities, ProxyMetrics metrics) {
        this.config = config;
        this.tls = tls;
        this.identities = identities;
        this.metrics = metrics;
        // first: an unsupported (3.4) ensemble fails the start before anything is started
        EnsembleFeatures ensemble = EnsembleProbe.features(config);
        UpstreamAcls acls = new UpstreamAcls(identities);
        this.transport = Transport.best();
        this.boss = transport.group(1, "zktp-accept");
        this.workers = transport.group(Transport.ioThreads(), "zktp-io");
        this.operatorClient = OperatorClient.start(config.connectString(), identities.platform(),
                acls.locked() ? acls.platformOnly() : null, tls.operatorClientConfig());
        this.releaseWatch = config.upstream().version() == null && config.upstream().tls() == null
                && !config.upstream().effectiveVersionCheck().isZero()
                ? EnsembleReleaseWatch.start(config.connectString(), ensemble, config.upstream().effectiveVersionCheck())
                : null;
        this.provisioner = new ChrootProvisioner(operatorClient, config.createChroots(), acls, ensemble);
        this.sessions = new SessionRegistry(operatorClient);
        this.quotaExecutor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "quota-provisioner");
            t.setDaemon(true);
            return t;
        });
        this.usage = new EnsembleUsageSource(operatorClient, acls.quota(), quotaExecutor);
        if (!identities.enabled()) {
            LOG.warn("no upstream secret (upstream.secretFile, --upstream-secret-file): tenants' znodes carry the ACLs "
                    + "their clients set, mostly world:anyone, so a client that reaches the ensemble directly can read "
                    + "and change every tenant's data (see SECURITY.md, \"Tenant identities on the ensemble\")");
        }
        if (identities.platform().isEmpty() && config.tenants().stream().anyMatch(t -> t.quotas(config.limits()).accounted())) {
            LOG.warn("quotas are on but no operator identity is configured: the quota znodes under /zookeeper/quota "
                    + "are world-writable, so a client that reaches the ensemble directly could remove a tenant's "
                    + "count (see SECURITY.md)");
        }
        ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
        this.context = new ProxyContext(config.limits(), new UpstreamConnector(config.connectString(), transport,
                config.limits().upstreamConnectTimeoutMs(), metrics, tls.upstream()),
                new EnsembleSessionGate(provisioner, sessions), clients, new AtomicBoolean(), ensemble);
    }

    /**
     * Validates {@code config}, binds every tenant's listener and starts creating chroots.
     *
     * @param config  a configuration whose {@code upstream} is set (start the embedded ZooKeeper first otherwise)
     * @param metrics where meters are registered
     * @throws IllegalArgumentException if the configuration is invalid, its upstream secret file is missing, empty
     *                                  or readable by others, or a certificate file is unusable (one line per problem)
     * @throws IllegalStateException    if a listener cannot be bound; everything started is stopped again
     */
    public static ProxyServer start(ProxyConfig config, ProxyMetrics metrics) {
        List<String> errors = ConfigValidator.validate(config);
        if (config.connectString() == null) {
            errors = new ArrayList<>(errors);
            errors.add("upstream: missing (start an embedded ZooKeeper and pass its connect string)");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", errors));
        }
        Identities identities;
        ProxyTls tls;
        try {
            String secretFile = config.upstream().secretFile();
            identities = Identities.of(secretFile == null ? null : UpstreamSecret.read(Path.of(secretFile)),
                    config.operator());
            tls = ProxyTls.load(config, metrics);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(String.join("\n", e.errors()));
        }
        ProxyServer server = new ProxyServer(config, tls, identities, metrics);
        try {
            server.bindAll();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** {@link #start(ProxyConfig, ProxyMetrics)} with a fresh Prometheus registry. */
    public static ProxyServer start(ProxyConfig config) {
        return start(config, ProxyMetrics.prometheus(config));
    }

    private void bindAll() {
        ServerTls listenerTls = tls.listeners();
        for (TenantConfig tc : config.tenants()) {
            // a tenant reached only through the shared TLS listener advertises that one by default
            List<String> advertised = config.advertised().isEmpty() && tc.listen() == null
                    ? List.of(config.tls().listen()) : config.advertised();
            Tenant tenant = new Tenant(tc, advertised, config.limits(), metrics.tenant(tc.name()), usage,
                    OperatorAcl.policy(identities, tc.name()));
            tenants.put(tenant.name(), tenant);
            if (tc.listen() != null) {
                Listener listener = Listener.of(tenant, tc.listenerTls(config.tls()) ? listenerTls : null);
                bound.put(tenant.name(), bind(listener, tenant.listen(), tenant.meters()::acceptsPaused));
            }
            provisioner.ensure(tenant.name(), tenant.chroot().root()).exceptionally(e -> {
                LOG.warn("tenant {}: chroot {} not created yet ({}); retrying on its first connection",
                        tenant.name(), tenant.chroot(), e.getCause() == null ? e : e.getCause().getMessage());
                return null;
            });
        }
        if (listenerTls != null && config.tls().listen() != null) {
            Listener shared = Listener.shared(listenerTls, TenantResolver.byCertificate(tenants,
                    listenerTls.tenants()));
            bound.put(ServerTls.SHARED, bind(shared, HostPort.parse(config.tls().listen()), paused -> { }));
        }
        provisioner.ensurePath(SessionRegistry.MARKER_ROOT).exceptionally(e -> {
            LOG.warn("session marker root {} not created yet; retrying on the first connection",
                    SessionRegistry.MARKER_ROOT);
            return null;
        });
        tls.watch(Duration.ofMillis(config.tls() != null ? config.tls().reloadCheckMs()
                : TlsConfig.DEFAULT_RELOAD_CHECK_MS));
        metrics.readiness(this::ready);
        StringBuilder sb = new StringBuilder();
        bound.forEach((name, address) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(" on ")
                .append(address.getHostString()).append(':').append(address.getPort())
                .append(tenants.containsKey(name) ? " (chroot " + tenants.get(name).chroot() + ")" : " (TLS, tenant "
                        + "by client certificate)"));
        LOG.info("zk-tenant-proxy listening: {}; upstream {}{}; transport {}{}", sb, config.connectString(),
                identities.enabled() ? " as tenant identities" : "", transport.name(), tls.describe());
    }

    private InetSocketAddress bind(Listener listener, HostPort address, LongConsumer onAcceptsPaused) {
        Channel channel;
        try {
            channel = bootstrap(listener, onAcceptsPaused).bind(address.host(), address.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + address, e);
        } catch (Exception e) {
            throw new IllegalStateException("listener " + listener.name() + ": cannot listen on " + address + ": "
                    + e.getMessage(), e);
        }
        listeners.add(channel);
        return (InetSocketAddress) channel.localAddress();
    }

    private ServerBootstrap bootstrap(Listener listener, LongConsumer onAcceptsPaused) {
        Limits limits = config.limits();
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (limits.connectionsPerSecond() > 0) {
            bootstrap.handler(new AcceptPacer(limits.connectionsPerSecond(), onAcceptsPaused));
        }
        return bootstrap
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ConnectionInitializer(listener, context, metrics));
    }

    /**
     * @param tenant a tenant with a listener of its own, or {@link ServerTls#SHARED} for the shared TLS listener
     * @return the address it listens on (with the real port when 0 was configured)
     */
    public InetSocketAddress address(String tenant) {
        InetSocketAddress address = bound.get(tenant);
        if (address == null) {
            throw new IllegalArgumentException("no listener '" + tenant + "'");
        }
        return address;
    }

    /** @return the address of {@code tenant}'s own listener (or of {@link ServerTls#SHARED}), if it has one */
    public Optional<InetSocketAddress> listenerAddress(String tenant) {
        return Optional.ofNullable(bound.get(tenant));
    }

    /** @return whether {@code tenant}'s own listener speaks TLS */
    public boolean listenerTls(String tenant) {
        return tls.listeners() != null && config.tenants().stream()
                .anyMatch(t -> t.name().equals(tenant) && t.listen() != null && t.listenerTls(config.tls()));
    }

    /** @return the proxy's TLS, both hops (its parts are null where a hop is plain) */
    public ProxyTls tls() {
        return tls;
    }

    /** @return the tenants, in configuration order */
    public List<Tenant> tenants() {
        return List.copyOf(tenants.values());
    }

    public ProxyConfig config() {
        return config;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    /** @return the proxy's own client of the ensemble, shared with the admin server; {@link #close} closes it */
    public OperatorClient operatorClient() {
        return operatorClient;
    }

    /** @return sessions this instance has seen created or resumed and not yet expired */
    public long knownSessions() {
        return sessions.size();
    }

    /** @return whether every listener is bound and the proxy's own client reaches the ensemble */
    public boolean ready() {
        return !closed.get() && listeners.stream().allMatch(Channel::isActive) && operatorClient.connected();
    }

    /** Stops accepting, closes every client connection, stops the event loops; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        context.shuttingDown().set(true);
        listeners.forEach(Channel::close);
        context.clients().close().awaitUninterruptibly(SHUTDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        boss.shutdownGracefully(0, SHUTDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, SHUTDOWN_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        provisioner.close();
        if (releaseWatch != null) {
            releaseWatch.close();
        }
        quotaExecutor.shutdownNow();
        operatorClient.close();
        tls.close();
        boss.terminationFuture().awaitUninterruptibly(SHUTDOWN_BOUND.toMillis());
        workers.terminationFuture().awaitUninterruptibly(SHUTDOWN_BOUND.toMillis());
        LOG.info("zk-tenant-proxy stopped");
    }
}
