package io.zktenantproxy.proxy.it;

import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Starts proxies and real ZooKeeper clients for integration tests. */
public final class ProxyHarness {
    private ProxyHarness() {
    }

    /** A proxy on loopback with one listener per tenant name, each with the default chroot /tenants/NAME. */
    public static ProxyServer proxy(String upstream, String... tenants) {
        List<TenantConfig> list = new ArrayList<>();
        for (String t : tenants) {
            list.add(new TenantConfig(t, null, "127.0.0.1:0", null));
        }
        return ProxyServer.start(new ProxyConfig(upstream, null, null, null, null, null, list));
    }

    public static String connectString(ProxyServer proxy, String tenant) {
        InetSocketAddress a = proxy.address(tenant);
        return "127.0.0.1:" + a.getPort();
    }

    /** A ZooKeeper Java client, connected (waits up to 30 s for SyncConnected). */
    public static ZooKeeper connect(String connectString, Watcher watcher) throws Exception {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        ZooKeeper zk = new ZooKeeper(connectString, 30_000, event -> {
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
}
