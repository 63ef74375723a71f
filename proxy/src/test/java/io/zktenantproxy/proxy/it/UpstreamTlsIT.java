package io.zktenantproxy.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.zktenantproxy.proxy.cli.Cli;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import io.zktenantproxy.proxy.metrics.MeterNames;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.PemFiles;
import io.zktenantproxy.proxy.tls.SecureZooKeeper;
import io.zktenantproxy.proxy.tls.TestCa;
import io.zktenantproxy.proxy.tls.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proxy reaching a real ZooKeeper's {@code secureClientPort} (curator-test server with the Netty connection
 * factory): with the proxy's client certificate ({@code ssl.clientAuth=need}), whose {@code x509:} identity a tenant
 * never sees in {@code whoAmI}; without one ({@code ssl.clientAuth=none}); and a server certificate that does not name
 * the host the proxy dialled, refused (hostname verification on by default), until verification is turned off.
 */
class UpstreamTlsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private SecureZooKeeper ensemble;
    private ProxyServer proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (ensemble != null) {
            ensemble.close();
        }
    }

    private ProxyServer start(String upstream, UpstreamTlsConfig tls, Path secret) {
        ProxyConfig config = ProxyConfig.forUpstream(upstream).withUpstreamTls(tls)
                .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:0"));
        proxy = ProxyServer.start(secret == null ? config : config.withSecretFile(secret.toString()));
        return proxy;
    }

    @Test
    void proxyWithItsClientCertificateServesTenantsAndHidesItsX509Identity() throws Exception {
        TestCa zkCa = TestCa.create("ensemble CA");
        TestCa proxyCa = TestCa.create("platform CA");
        ensemble = SecureZooKeeper.start(zkCa, zkCa.issue(CertSpec.server()), proxyCa, true,
                Files.createDirectory(dir.resolve("zk")));
        PemFiles proxyCert = proxyCa.issue(CertSpec.client("zk-tenant-proxy")).writePem(dir, "proxy");
        Path secret = TestSecret.file(1);
        start(ensemble.secureConnectString(), UpstreamTlsConfig.trusting(ensemble.serverCaPem().toString())
                .withClientCertificate(proxyCert.cert().toString(), proxyCert.key().toString()), secret);
        await().atMost(WAIT).until(proxy::ready); // the proxy's own client reached the ensemble over TLS

        try (ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), (Watcher) null)) {
            zk.create("/both-hops", "tls".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            assertThat(zk.getData("/both-hops", false, null)).isEqualTo("tls".getBytes(StandardCharsets.UTF_8));
            assertThat(zk.whoAmI()).extracting(ClientInfo::getAuthScheme).as("whoAmI through the proxy")
                    .doesNotContain("x509");

            // 'auth' grants the client's own digest id, never the proxy's x509 id; x509 entries are refused
            zk.addAuthInfo("digest", "alice:secret".getBytes(StandardCharsets.UTF_8));
            zk.create("/alices", new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
            assertThat(zk.getACL("/alices", null)).extracting(acl -> acl.getId().getScheme())
                    .containsOnly("digest");
            assertThatThrownBy(() -> zk.create("/proxys", new byte[0], java.util.Arrays.asList(new ACL(ZooDefs.Perms.ALL,
                    new Id("x509", "CN=zk-tenant-proxy"))), CreateMode.PERSISTENT))
                    .isInstanceOf(KeeperException.InvalidACLException.class);
        }
        assertThat(proxy.tls().upstreamProvider()).isNotNull();

        // the operator CLI over the same TLS, as the platform
        Cli.Run tree = Cli.run("tree", "--upstream", ensemble.secureConnectString(), "--tenant", "acme",
                "--upstream-tls-ca", ensemble.serverCaPem().toString(), "--upstream-tls-cert",
                proxyCert.cert().toString(), "--upstream-tls-key", proxyCert.key().toString(),
                "--upstream-secret-file", secret.toString(), "--timeout-ms", "60000");
        assertThat(tree.exit()).as(tree.err()).isZero();
        assertThat(tree.out()).contains("both-hops");
    }

    @Test
    void proxyWithoutAClientCertificateOnAnEnsembleThatAsksForNone() throws Exception {
        TestCa zkCa = TestCa.create("ensemble CA");
        ensemble = SecureZooKeeper.start(zkCa, zkCa.issue(CertSpec.server()), null, false,
                Files.createDirectory(dir.resolve("zk")));
        start(ensemble.secureConnectString("127.0.0.1"),
                UpstreamTlsConfig.trusting(ensemble.serverCaPem().toString()), null);
        try (ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), (Watcher) null)) {
            zk.create("/one-hop", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        }
        await().atMost(WAIT).until(proxy::ready);
    }

    @Test
    void serverCertificateThatDoesNotNameTheHostIsRefusedUnlessVerificationIsOff() throws Exception {
        TestCa zkCa = TestCa.create("ensemble CA");
        ensemble = SecureZooKeeper.start(zkCa, zkCa.issue(CertSpec.server().withCn("elsewhere.example")
                .withDns("elsewhere.example").withIp()), null, false, Files.createDirectory(dir.resolve("zk")));
        UpstreamTlsConfig verifying = UpstreamTlsConfig.trusting(ensemble.serverCaPem().toString());

        // the tenants' upstream connections (UpstreamConnector's handler), dialled by IP
        assertThat(handshake(new UpstreamTls(verifying, "auto"), "127.0.0.1", ensemble.securePort()))
                .as("handshake with hostname verification").isNotNull()
                .hasStackTraceContaining("127.0.0.1");
        assertThat(handshake(new UpstreamTls(verifying.withHostnameVerification(false), "auto"), "127.0.0.1",
                ensemble.securePort())).as("handshake without hostname verification").isNull();

        // the whole proxy: its own client cannot reach the ensemble, and no tenant gets a session
        String upstream = ensemble.secureConnectString("127.0.0.1");
        start(upstream, verifying, null);
        List<Watcher.Event.KeeperState> states = new CopyOnWriteArrayList<>();
        try (ZooKeeper client = new ZooKeeper(ProxyHarness.connectString(proxy, "acme"), 10_000,
                event -> states.add(event.getState()))) {
            await().atMost(Duration.ofMinutes(2)).until(() -> closed() >= 1);
            assertThat(states).doesNotContain(Watcher.Event.KeeperState.SyncConnected);
        }
        assertThat(proxy.ready()).as("ready: the proxy's own client cannot reach the ensemble").isFalse();
        proxy.close();
        proxy = null;

        // off, the proxy's own client (ZooKeeper 3.9 on Netty 4.2) would still verify: refused at start, with how
        assertThatThrownBy(() -> start(upstream, verifying.withHostnameVerification(false), null))
                .hasMessageContaining("io.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE");
    }

    /** @return why a TLS handshake with {@code tls} to {@code host:port} failed, or null when it succeeded */
    private static Throwable handshake(UpstreamTls tls, String host, int port) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port));
                        }
                    }).connect(host, port).sync().channel();
            channel.pipeline().get(SslHandler.class).handshakeFuture()
                    .addListener(f -> outcome.complete(f.cause()));
            Throwable cause = outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            channel.close().sync();
            return cause;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** @return connections of tenant acme closed, for any reason */
    private double closed() {
        return proxy.metrics().registry().find(MeterNames.CONNECTIONS_CLOSED).tag(MeterNames.TENANT, "acme")
                .counters().stream().mapToDouble(Counter::count).sum();
    }
}
