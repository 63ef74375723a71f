package io.zktenantproxy.proxy.upstream;

import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import io.zktenantproxy.proxy.identity.DigestCredential;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.AuthInfo;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.ensemble.fixed.FixedEnsembleProvider;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's own client of the ensemble, never a tenant's connection or credentials: a Curator client (retries with
 * exponential backoff, reconnects, renews an expired session) with the ensemble tracker off, so it stays on the
 * configured servers, authenticated as the platform's identities ({@code digest}; the operator identity, or the one
 * derived from the upstream secret), which every tenant ACL grants.
 *
 * <p>A running proxy has one, built and closed by {@code ProxyServer}: chroot creation, the session ownership
 * look-ups and the admin server's tree reads share it, and readiness asks whether it is connected. The operator CLI
 * ({@code tree}, {@code du}, {@code migrate-acls}) builds one of its own per command.
 */
public final class OperatorClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorClient.class);
    private final CuratorFramework curator;
    private final OperatorClientTls tls;
    private final FixedEnsembleProvider ensemble;

    private OperatorClient(CuratorFramework curator, OperatorClientTls tls, FixedEnsembleProvider ensemble) {
        this.curator = curator;
        this.tls = tls;
        this.ensemble = ensemble;
    }

    /**
     * Starts connecting in the background.
     *
     * @param connectString the ensemble, {@code host:port,...}, no chroot suffix
     * @param credentials   digest identities to authenticate as (every one, in order); may be empty
     * @param defaultAcl    the ACL of znodes created without one (parents made by {@code creatingParentsIfNeeded}
     *                      included), or null for Curator's default, {@code world:anyone ALL}
     */
    public static OperatorClient start(String connectString, List<DigestCredential> credentials, List<ACL> defaultAcl) {
        return start(connectString, credentials, defaultAcl, null);
    }

    /**
     * Starts connecting in the background, over TLS when {@code tls} is given.
     *
     * @param tls the ZooKeeper client's TLS settings ({@link OperatorClientTls#clientConfig()}), or null for plain TCP
     * @see #start(String, List, List)
     */
    public static OperatorClient start(String connectString, List<DigestCredential> credentials, List<ACL> defaultAcl,
                                       ZKClientConfig tls) {
        return start(connectString, credentials, defaultAcl, tls, null);
    }

    /**
     * Starts connecting over TLS with settings of its own, which {@link #close} releases (the operator CLI's case).
     *
     * @param tls TLS to the ensemble ({@link UpstreamTlsConfig}), or null for plain TCP
     */
    public static OperatorClient startWith(String connectString, List<DigestCredential> credentials,
                                           UpstreamTlsConfig tls) {
        OperatorClientTls own = tls == null ? null : OperatorClientTls.of(tls);
        return start(connectString, credentials, null, own == null ? null : own.clientConfig(), own);
    }

    private static OperatorClient start(String connectString, List<DigestCredential> credentials,
                                        List<ACL> defaultAcl, ZKClientConfig tls, OperatorClientTls owned) {
        // a provider of our own, so a reload can point the client at other servers (moveTo)
        FixedEnsembleProvider ensemble = new FixedEnsembleProvider(connectString, true);
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .ensembleProvider(ensemble)
                .retryPolicy(new ExponentialBackoffRetry(200, 5, 5_000))
                .sessionTimeoutMs(30_000)
                .connectionTimeoutMs(10_000)
                .ensembleTracker(false);
        builder.zkClientConfig(tls != null ? tls : plain());
        if (!credentials.isEmpty()) {
            builder.authorization(credentials.stream().map(c -> new AuthInfo("digest", c.authData())).toList());
        }
        if (defaultAcl != null) {
            // not List.copyOf: ZooKeeper.validateACL asks the list whether it contains null
            List<ACL> acl = Collections.unmodifiableList(new ArrayList<>(defaultAcl));
            builder.aclProvider(new ACLProvider() {
                @Override
                public List<ACL> getDefaultAcl() {
                    return acl;
                }

                @Override
                public List<ACL> getAclForPath(String path) {
                    return acl;
                }
            });
        }
        CuratorFramework curator = builder.build();
        curator.start();
        return new OperatorClient(curator, owned, ensemble);
    }

    /**
     * Points the client at other servers of the same ensemble (a reload changed the connect string): its session
     * moves over with ZooKeeper's {@code updateServerList}, which reconnects it to a server of the new list when its
     * current one is not in it; later reconnects use only the new list.
     *
     * @param connectString the ensemble's new connect string, {@code host:port,...}
     */
    public void moveTo(String connectString) {
        ensemble.setConnectionString(connectString);
        try {
            curator.getZookeeperClient().getZooKeeper().updateServerList(connectString);
        } catch (Exception e) {
            // not connected now: the next connection reads the provider's new string anyway
            LOG.info("operator client: server list not updated now ({}); the next connection uses {}", e.toString(),
                    connectString);
        }
    }

    /**
     * The ZooKeeper client's own defaults come from JVM system properties ({@code zookeeper.client.secure},
     * {@code zookeeper.clientCnxnSocket}, {@code zookeeper.ssl.*}), which may be set for another client in the same
     * JVM (an embedded Flink's shaded client, say): the proxy's client says what it is itself.
     */
    private static ZKClientConfig plain() {
        ZKClientConfig config = ownDefaults();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "false");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, "org.apache.zookeeper.ClientCnxnSocketNIO");
        return config;
    }

    /**
     * @return a client configuration with SASL off: the proxy authenticates with digest ids only, and with SASL on
     *     the client looks up the name of an IP literal before connecting, so a TLS server certificate would be
     *     checked against that name rather than the address configured
     */
    static ZKClientConfig ownDefaults() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "false");
        return config;
    }

    /** @return the Curator client; closed with this one, so callers must not close it */
    public CuratorFramework curator() {
        return curator;
    }

    /** @return whether the client is connected to the ensemble now */
    public boolean connected() {
        return curator.getZookeeperClient().isConnected();
    }

    /** @return whether the client is connected now, waiting up to {@code timeout} */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        return curator.blockUntilConnected((int) Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Closes the Curator client. */
    @Override
    public void close() {
        curator.close();
        if (tls != null) {
            tls.close();
        }
    }
}
