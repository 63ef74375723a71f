package io.zktenantproxy.proxy.admin;

import io.zktenantproxy.proxy.config.AdminConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.it.TestSecret;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.runtime.ProxyRuntime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper (curator-test), a proxy with its admin server on loopback, and two tenants: {@code flink-a} holding
 * a {@link FlinkLayout} made through its own proxy port, and {@code other} holding a node {@code flink-a} must never
 * see ({@code /flink/default/secret}). The proxy runs with an upstream secret, so its tree reads go through the
 * platform identity on znodes no one else may read.
 */
final class AdminFixture implements AutoCloseable {
    static final String FLINK = "flink-a";
    static final String OTHER = "other";

    final TestingServer zk;
    final ProxyRuntime runtime;
    final CuratorFramework flinkClient;
    final CuratorFramework otherClient;
    final FlinkLayout layout;
    final AdminHttp http;
    final Path secret;

    AdminFixture(String token) throws Exception {
        zk = Upstreams.server();
        secret = TestSecret.file(1);
        runtime = ProxyRuntime.start(ProxyConfig.forUpstream(zk.getConnectString()).withSecretFile(secret.toString())
                .withAdmin(AdminConfig.listeningOn("127.0.0.1:0").withToken(token).withSlowThresholdMs(50))
                .withTenants(TenantConfig.named(FLINK).withListen("127.0.0.1:0"),
                        TenantConfig.named(OTHER).withChroot("/tenants/other").withListen("127.0.0.1:0")), null);
        flinkClient = client(FLINK);
        otherClient = client(OTHER);
        otherClient.create().creatingParentsIfNeeded().forPath("/flink/default/secret",
                "other tenant's".getBytes(StandardCharsets.UTF_8));
        layout = FlinkLayout.create(flinkClient);
        http = new AdminHttp(runtime.admin().address(), token);
    }

    /** @return a started Curator client through the proxy's port of {@code tenant} */
    CuratorFramework client(String tenant) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString("127.0.0.1:" + runtime.proxy().address(tenant).getPort())
                .retryPolicy(new RetryOneTime(100))
                .sessionTimeoutMs(30_000)
                .ensembleTracker(false)
                .build();
        client.start();
        if (!client.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS)) {
            client.close();
            throw new IllegalStateException("tenant " + tenant + " client did not connect");
        }
        return client;
    }

    @Override
    public void close() throws Exception {
        Closing.all(layout, flinkClient, otherClient, runtime, zk);
    }
}
