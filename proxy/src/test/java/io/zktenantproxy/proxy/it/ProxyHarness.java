package io.zktenantproxy.proxy.it;

import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Starts proxies and real ZooKeeper clients for integration tests. */
public final class ProxyHarness {
    /** Session timeout of the test clients: long enough that no session expires while a test moves it around. */
    public static final int SESSION_TIMEOUT_MS = 30_000;

    private ProxyHarness() {
    }

    /** A proxy on loopback with one listener per tenant name, each with the default chroot /tenants/NAME. */
    public static ProxyServer proxy(String upstream, String... tenants) {
        List<TenantConfig> list = new ArrayList<>();
        for (String t : tenants) {
            list.add(TenantConfig.named(t).withListen("127.0.0.1:0"));
        }
        return ProxyServer.start(secretWhenOn(ProxyConfig.forUpstream(upstream).withTenants(list)));
    }

    /**
     * @return {@code config} with the JVM's shared upstream secret when {@link TestSecret#PROPERTY} is on (a Failsafe
     *     execution runs the client-facing suites so, to show that tenant identities change nothing a client sees)
     */
    public static ProxyConfig secretWhenOn(ProxyConfig config) {
        java.nio.file.Path secret = TestSecret.sharedWhenOn();
        return secret == null ? config : config.withSecretFile(secret.toString());
    }

    /**
     * A proxy for one tenant on a fixed loopback port, advertising {@code advertised} as its /zookeeper/config
     * (empty: the listen address itself).
     */
    public static ProxyServer proxyOnPort(String upstream, String tenant, int port, List<String> advertised) {
        return ProxyServer.start(secretWhenOn(ProxyConfig.forUpstream(upstream).withTenants(
                TenantConfig.named(tenant).withListen("127.0.0.1:" + port).withAdvertised(advertised))));
    }

    public static String connectString(ProxyServer proxy, String tenant) {
        InetSocketAddress a = proxy.address(tenant);
        return "127.0.0.1:" + a.getPort();
    }

    /**
     * @return a loopback port nobody listened on a moment ago, for a proxy whose address must be known before it
     *         starts (advertised addresses, a second instance started later)
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A ZooKeeper Java client, connected (waits up to 30 s for SyncConnected). */
    public static ZooKeeper connect(String connectString, Watcher watcher) throws Exception {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        ZooKeeper zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.complete(null);
            }
            if (watcher != null) {
                watcher.process(event);
            }
        });
        try {
            connected.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            zk.close();
            throw e;
        }
        return zk;
    }

    /**
     * A client of the ensemble itself, to look behind the proxy: authenticated as the platform identity when the
     * harness runs with an upstream secret ({@link TestSecret#PROPERTY}), since the tenants' znodes then refuse
     * everyone else.
     */
    public static ZooKeeper upstream(String connectString) throws Exception {
        ZooKeeper zk = connect(connectString, (Watcher) null);
        addPlatformAuth(zk);
        return zk;
    }

    /** {@link #upstream(String)} with {@code events} as the default watcher. */
    public static TestClient upstream(String connectString, Events events) throws Exception {
        TestClient zk = connect(connectString, events);
        addPlatformAuth(zk);
        return zk;
    }

    private static void addPlatformAuth(ZooKeeper zk) {
        java.nio.file.Path secret = TestSecret.sharedWhenOn();
        if (secret != null) {
            TestSecret.identities(secret).platform().forEach(c -> zk.addAuthInfo("digest", c.authData()));
        }
    }

    /**
     * A connected client whose default watcher is {@code events} itself (so that passing {@code events} as an
     * explicit watcher registers the same watcher, and every event arrives once).
     */
    public static TestClient connect(String connectString, Events events) throws Exception {
        TestClient zk = new TestClient(connectString, SESSION_TIMEOUT_MS, events);
        return awaitConnected(zk, events);
    }

    /** A client resuming session {@code sessionId}; returns once connected. */
    public static TestClient resume(String connectString, long sessionId, byte[] password, Events events)
            throws Exception {
        TestClient zk = new TestClient(connectString, SESSION_TIMEOUT_MS, events, sessionId, password);
        return awaitConnected(zk, events);
    }

    private static TestClient awaitConnected(TestClient zk, Events events) throws Exception {
        try {
            events.awaitState(Watcher.Event.KeeperState.SyncConnected);
        } catch (Throwable e) {
            zk.close();
            throw e;
        }
        return zk;
    }
}
