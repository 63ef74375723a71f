package io.zktenantproxy.proxy.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zktenantproxy.protocol.EnsembleFeatures;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigValidator;
import io.zktenantproxy.proxy.config.HostPort;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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

    private volatile ProxyConfig config;
    private final ProxyTls tls;
    private final Identities identities;
    private final ProxyMetrics metrics;
    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final OperatorClient operatorClient;
    private final ChrootProvisioner provisioner;
    private volatile EnsembleReleaseWatch releaseWatch;
    private final SessionRegistry sessions;
    private final ExecutorService quotaExecutor;
    private final UsageSource usage;
    private final EnsembleFeatures ensemble;
    /** Replaced by reloads: connections accepted afterwards get the new one. */
    private volatile ProxyContext context;
    /** The tenants by name, in configuration order; replaced whole by reloads (read by every accept). */
    private volatile Map<String, Tenant> tenants = Map.of();
    /** Every bound listener by tenant name, or {@link ServerTls#SHARED}. */
    private final ListenerSockets listeners;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Reconfiguration reconfiguration = new Reconfiguration(this);

    private ProxyServer(ProxyConfig config, ProxyTls tls, Identities identities, ProxyMetrics metrics) {
        this.config = config;
        this.tls = tls;
        this.identities = identities;
        this.metrics = metrics;
        // first: a named transport that cannot start, or an unsupported (3.4) ensemble, fails the start before
        // anything is started
        this.transport = Transport.select(config.server().effectiveTransport());
        this.ensemble = EnsembleProbe.features(config);
        UpstreamAcls acls = new UpstreamAcls(identities);
        transport.logChoice(config.server().effectiveTransport());
        this.boss = transport.group(1, "zktp-accept");
        this.workers = transport.group(Transport.ioThreads(), "zktp-io");
        this.operatorClient = OperatorClient.start(config.connectString(), identities.platform(),
                acls.locked() ? acls.platformOnly() : null, tls.operatorClientConfig());
        this.releaseWatch = releaseWatch(config);
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
        this.context = new ProxyContext(config.limits(), dialer(config),
                new EnsembleSessionGate(provisioner, sessions), clients, new AtomicBoolean(), ensemble);
        this.listeners = new ListenerSockets(boss, workers, transport, () -> context, metrics, this::tenant);
    }

    UpstreamConnector dialer(ProxyConfig cfg) {
        return new UpstreamConnector(cfg.connectString(), transport, cfg.limits().upstreamConnectTimeoutMs(), metrics,
                tls.upstream());
    }

    EnsembleReleaseWatch releaseWatch(ProxyConfig cfg) {
        return cfg.upstream().version() == null && cfg.upstream().tls() == null
                && !cfg.upstream().effectiveVersionCheck().isZero()
                ? EnsembleReleaseWatch.start(cfg.connectString(), ensemble, cfg.upstream().effectiveVersionCheck())
                : null;
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
        Map<String, Tenant> built = new LinkedHashMap<>();
        config.tenants().forEach(tc -> built.put(tc.name(), newTenant(tc, config)));
        tenants = Collections.unmodifiableMap(built);
        for (TenantConfig tc : config.tenants()) {
            if (tc.listen() != null) {
                listeners.put(tc.name(), listeners.bind(tenantListener(tc, config), HostPort.parse(tc.listen())));
            }
            provision(built.get(tc.name()));
        }
        if (listenerTls != null && config.tls().listen() != null) {
            Listener shared = Listener.shared(listenerTls, TenantResolver.byCertificate(this::tenant,
                    listenerTls::tenants));
            listeners.put(ServerTls.SHARED, listeners.bind(shared, HostPort.parse(config.tls().listen())));
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
        for (String name : listenerNames()) {
            InetSocketAddress address = address(name);
            sb.append(sb.length() == 0 ? "" : ", ").append(name).append(" on ").append(address.getHostString())
                    .append(':').append(address.getPort())
                    .append(tenants.containsKey(name) ? " (chroot " + tenants.get(name).chroot() + ")"
                            : " (TLS, tenant by client certificate)");
        }
        LOG.info("zk-tenant-proxy listening: {}; upstream {}{}; transport {}{}", sb, config.connectString(),
                identities.enabled() ? " as tenant identities" : "", transport.name(), tls.describe());
    }

    /**
     * Applies a new configuration without a restart, or refuses it whole: {@link Reconfiguration#reload}.
     *
     * @param next the configuration read from the file again (with the embedded ZooKeeper's address, if any)
     * @return the outcome, also {@link #lastReload()}
     */
    public ReloadStatus reload(ProxyConfig next) {
        return reconfiguration.reload(next);
    }

    /**
     * Records a reload refused before it reached {@link #reload}: the file did not parse.
     *
     * @param errors one line per problem
     * @return the outcome
     */
    public ReloadStatus refuseReload(List<String> errors) {
        return reconfiguration.refuse(errors);
    }

    /** @return the last reload's outcome (or the start's) */
    public ReloadStatus lastReload() {
        return reconfiguration.last();
    }

    // what Reconfiguration reads and replaces: the state a reload changes, all of it here

    boolean isClosed() {
        return closed.get();
    }

    void config(ProxyConfig next) {
        config = next;
    }

    ProxyContext context() {
        return context;
    }

    void context(ProxyContext next) {
        context = next;
    }

    Map<String, Tenant> tenantMap() {
        return tenants;
    }

    void tenantMap(Map<String, Tenant> next) {
        tenants = next;
    }

    ListenerSockets listeners() {
        return listeners;
    }

    EventLoopGroup workers() {
        return workers;
    }

    EnsembleReleaseWatch releaseWatch() {
        return releaseWatch;
    }

    void releaseWatch(EnsembleReleaseWatch next) {
        releaseWatch = next;
    }

    /** @return listener names in configuration order, the shared TLS listener last */
    private List<String> listenerNames() {
        List<String> names = new ArrayList<>();
        tenants.keySet().stream().filter(listeners::has).forEach(names::add);
        if (listeners.has(ServerTls.SHARED)) {
            names.add(ServerTls.SHARED);
        }
        return names;
    }

    /** @return the tenant of that name as last configured, or null */
    Tenant tenant(String name) {
        return tenants.get(name);
    }

    Tenant newTenant(TenantConfig tc, ProxyConfig cfg) {
        return new Tenant(tc, defaultAdvertised(tc, cfg), cfg.limits(), metrics.tenant(tc.name()), usage,
                OperatorAcl.policy(identities, tc.name()));
    }

    /** @return what a tenant that names no advertised addresses of its own advertises */
    static List<String> defaultAdvertised(TenantConfig tc, ProxyConfig cfg) {
        // a tenant reached only through the shared TLS listener advertises that one by default
        return cfg.advertised().isEmpty() && tc.listen() == null && cfg.tls() != null && cfg.tls().listen() != null
                ? List.of(cfg.tls().listen()) : cfg.advertised();
    }

    Listener tenantListener(TenantConfig tc, ProxyConfig cfg) {
        return Listener.of(tc.name(), tc.listenerTls(cfg.tls()) ? tls.listeners() : null, this::tenant);
    }

    void provision(Tenant tenant) {
        provisioner.ensure(tenant.name(), tenant.chroot().root()).exceptionally(e -> {
            LOG.warn("tenant {}: chroot {} not created yet ({}); retrying on its first connection",
                    tenant.name(), tenant.chroot(), e.getCause() == null ? e : e.getCause().getMessage());
            return null;
        });
    }

    /**
     * @param tenant a tenant with a listener of its own, or {@link ServerTls#SHARED} for the shared TLS listener
     * @return the address it listens on (with the real port when 0 was configured)
     */
    public InetSocketAddress address(String tenant) {
        return listenerAddress(tenant).orElseThrow(() -> new IllegalArgumentException("no listener '" + tenant + "'"));
    }

    /** @return the address of {@code tenant}'s own listener (or of {@link ServerTls#SHARED}), if it has one */
    public Optional<InetSocketAddress> listenerAddress(String tenant) {
        return listeners.address(tenant);
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

    /** @return the transport the client and upstream channels run on: {@code io_uring}, {@code epoll} or {@code nio} */
    public String transport() {
        return transport.name();
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
        return !closed.get() && listeners.allActive() && operatorClient.connected();
    }

    /** Stops accepting, closes every client connection, stops the event loops; idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        context.shuttingDown().set(true);
        listeners.closeAll(SHUTDOWN_BOUND);
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
