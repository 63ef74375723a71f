package io.zktenantproxy.proxy.config;

import java.util.List;

/**
 * Everything the proxy serves, as read from YAML ({@code --config}) or built from the sidecar flags.
 *
 * <pre>
 * upstream: zk1:2181,zk2:2181,zk3:2181   # the ensemble; absent: an embedded ZooKeeper under ./data
 *   # or {connect: "zk1:2181,...", secretFile: /etc/zk-tenant-proxy/upstream-secret}, see UpstreamConfig
 * advertised: [proxy.example:7451]       # default for every tenant's /zookeeper/config
 * createChroots: true                    # create each chroot (and parents) on the tenant's first connection
 * limits: {...}                          # see Limits
 * admin: {listen: 127.0.0.1:7452}        # see AdminConfig
 * operator: {user: zktp-ops, password: ...}  # see OperatorConfig
 * tls: {cert: ..., key: ..., clientCa: ..., listen: 0.0.0.0:7443}  # see TlsConfig
 * tenants:
 *   - {name: acme, chroot: /tenants/acme, listen: 0.0.0.0:7451}
 * flink: {scanIntervalMs: 30000}         # see FlinkConfig
 * server: {transport: auto}              # see ServerConfig
 * </pre>
 *
 * @param upstream      the ensemble and the upstream secret ({@link UpstreamConfig}); null, or a null connect string,
 *                      for the embedded ZooKeeper
 * @param advertised    proxy addresses for {@code /zookeeper/config} when a tenant names none
 * @param createChroots default true
 * @param dataDir       the embedded ZooKeeper's directory when {@code upstream} is null (default {@code ./data})
 * @param operator      the operator identity ACLs must keep; null leaves tenants' ACLs as sent
 * @param tls           TLS on the tenant listeners and the shared TLS listener ({@link TlsConfig}); null: plain TCP
 * @param flink         the periodic scan of the tenants' Flink HA state behind the Flink meters ({@link FlinkConfig});
 *                      absent: the defaults
 * @param server        the proxy's network side, its Netty transport ({@link ServerConfig}); absent: the defaults
 */
public record ProxyConfig(UpstreamConfig upstream, List<String> advertised, Boolean createChroots, Limits limits,
                          AdminConfig admin, String dataDir, List<TenantConfig> tenants, OperatorConfig operator,
                          TlsConfig tls, FlinkConfig flink, ServerConfig server) {
    public ProxyConfig {
        upstream = upstream == null ? UpstreamConfig.of(null) : upstream;
        advertised = advertised == null ? List.of() : List.copyOf(advertised);
        createChroots = createChroots == null || createChroots;
        limits = limits == null ? Limits.defaults() : limits;
        dataDir = dataDir == null ? "./data" : dataDir;
        tenants = tenants == null ? List.of() : List.copyOf(tenants);
        flink = flink == null ? FlinkConfig.defaults() : flink;
        server = server == null ? ServerConfig.defaults() : server;
    }

    /** A configuration with the default network side. */
    public ProxyConfig(UpstreamConfig upstream, List<String> advertised, Boolean createChroots, Limits limits,
                       AdminConfig admin, String dataDir, List<TenantConfig> tenants, OperatorConfig operator,
                       TlsConfig tls, FlinkConfig flink) {
        this(upstream, advertised, createChroots, limits, admin, dataDir, tenants, operator, tls, flink, null);
    }

    /** A configuration with the default Flink scan. */
    public ProxyConfig(UpstreamConfig upstream, List<String> advertised, Boolean createChroots, Limits limits,
                       AdminConfig admin, String dataDir, List<TenantConfig> tenants, OperatorConfig operator,
                       TlsConfig tls) {
        this(upstream, advertised, createChroots, limits, admin, dataDir, tenants, operator, tls, null);
    }

    /** A configuration without an operator identity or upstream secret. */
    public ProxyConfig(String upstream, List<String> advertised, Boolean createChroots, Limits limits,
                       AdminConfig admin, String dataDir, List<TenantConfig> tenants) {
        this(UpstreamConfig.of(upstream), advertised, createChroots, limits, admin, dataDir, tenants, null, null);
    }

    /**
     * @return a configuration for the ensemble at {@code connectString} (null: the embedded ZooKeeper) with every
     *     other field at its default and no tenants yet: {@code forUpstream("zk:2181").withTenants(...)}
     */
    public static ProxyConfig forUpstream(String connectString) {
        return new ProxyConfig(UpstreamConfig.of(connectString), null, null, null, null, null, null, null, null);
    }

    /** @return the ensemble's connect string, null for the embedded ZooKeeper */
    public String connectString() {
        return upstream.connect();
    }

    /** @return this configuration with the connect string replaced (the embedded ZooKeeper's address) */
    public ProxyConfig withUpstream(String connectString) {
        return new ProxyConfig(upstream.withConnect(connectString), advertised, createChroots, limits, admin, dataDir,
                tenants, operator, tls, flink, server);
    }

    /** @return this configuration with {@link #advertised()} replaced */
    public ProxyConfig withAdvertised(List<String> hostPorts) {
        return new ProxyConfig(upstream, hostPorts, createChroots, limits, admin, dataDir,
                tenants, operator, tls, flink, server);
    }

    /** @return this configuration with {@link #createChroots()} replaced */
    public ProxyConfig withCreateChroots(boolean create) {
        return new ProxyConfig(upstream, advertised, create, limits, admin, dataDir, tenants, operator, tls, flink,
                server);
    }

    /** @return this configuration with {@link #limits()} replaced */
    public ProxyConfig withLimits(Limits newLimits) {
        return new ProxyConfig(upstream, advertised, createChroots, newLimits, admin, dataDir,
                tenants, operator, tls, flink, server);
    }

    /** @return this configuration with {@link #admin()} replaced (null: no admin server) */
    public ProxyConfig withAdmin(AdminConfig newAdmin) {
        return new ProxyConfig(upstream, advertised, createChroots, limits, newAdmin, dataDir,
                tenants, operator, tls, flink, server);
    }

    /** @return this configuration with {@link #dataDir()} replaced */
    public ProxyConfig withDataDir(String directory) {
        return new ProxyConfig(upstream, advertised, createChroots, limits, admin, directory,
                tenants, operator, tls, flink, server);
    }

    /** @return this configuration with {@link #tenants()} replaced */
    public ProxyConfig withTenants(List<TenantConfig> newTenants) {
        return new ProxyConfig(upstream, advertised, createChroots, limits, admin, dataDir, newTenants, operator, tls,
                flink, server);
    }

    /** @return this configuration with {@link #tenants()} replaced */
    public ProxyConfig withTenants(TenantConfig... newTenants) {
        return withTenants(List.of(newTenants));
    }

    /** @return this configuration with the upstream secret file replaced (null: none) */
    public ProxyConfig withSecretFile(String file) {
        return new ProxyConfig(upstream.withSecretFile(file), advertised, createChroots, limits, admin, dataDir,
                tenants, operator, tls, flink, server);
    }

    /** @return this configuration with {@link #tls()} replaced (null: plain TCP listeners) */
    public ProxyConfig withTls(TlsConfig newTls) {
        return new ProxyConfig(upstream, advertised, createChroots, limits, admin, dataDir,
                tenants, operator, newTls, flink, server);
    }

    /** @return this configuration with {@code upstream.tls} replaced (null: plain TCP to the ensemble) */
    public ProxyConfig withUpstreamTls(UpstreamTlsConfig newTls) {
        return new ProxyConfig(upstream.withTls(newTls), advertised, createChroots, limits, admin, dataDir, tenants,
                operator, tls, flink, server);
    }

    /** @return this configuration with {@link #operator()} replaced (null: tenants' ACLs left as sent) */
    public ProxyConfig withOperator(OperatorConfig newOperator) {
        return new ProxyConfig(upstream, advertised, createChroots, limits, admin, dataDir,
                tenants, newOperator, tls, flink, server);
    }

    /** @return this configuration with {@link #flink()} replaced (null: the defaults) */
    public ProxyConfig withFlink(FlinkConfig newFlink) {
        return new ProxyConfig(upstream, advertised, createChroots, limits, admin, dataDir, tenants, operator, tls,
                newFlink, server);
    }

    /** @return this configuration with {@link #upstream()} replaced */
    public ProxyConfig withUpstream(UpstreamConfig newUpstream) {
        return new ProxyConfig(newUpstream, advertised, createChroots, limits, admin, dataDir,
                tenants, operator, tls, flink, server);
    }

    /** @return this configuration with {@link #server()} replaced (null: the defaults) */
    public ProxyConfig withServer(ServerConfig newServer) {
        return new ProxyConfig(upstream, advertised, createChroots, limits, admin, dataDir, tenants, operator, tls,
                flink, newServer);
    }
}
