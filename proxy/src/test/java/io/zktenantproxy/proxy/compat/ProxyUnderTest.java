package io.zktenantproxy.proxy.compat;

import static org.awaitility.Awaitility.await;

import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.time.Duration;
import java.util.List;

/**
 * A proxy for one tenant on a fixed loopback port in front of one ensemble, which a test can {@link #restart}: every
 * client connection is cut by the proxy (it closes), and the clients come back on the same address to a new instance,
 * resuming their sessions, which the ensemble kept.
 */
final class ProxyUnderTest implements AutoCloseable {
    /** Longest wait for a proxy to become ready (its own client connected, the chroot created). */
    static final Duration READY = Duration.ofSeconds(60);

    private final String upstream;
    private final String tenant;
    private final int port;
    private ProxyServer proxy;

    ProxyUnderTest(String upstream, String tenant) {
        this.upstream = upstream;
        this.tenant = tenant;
        this.port = ProxyHarness.freePort();
        this.proxy = start();
    }

    /** @return {@code "127.0.0.1:port"}, the same across restarts */
    String connectString() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    ProxyServer server() {
        return proxy;
    }

    /** Closes the proxy (cutting every connection) and starts a new one on the same port; returns once it is ready. */
    synchronized void restart() {
        proxy.close();
        proxy = start();
    }

    private ProxyServer start() {
        ProxyServer server = ProxyHarness.proxyOnPort(upstream, tenant, port, List.of());
        try {
            await("proxy for " + tenant + " ready").atMost(READY).until(server::ready);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    @Override
    public synchronized void close() {
        proxy.close();
    }
}
