package io.zktenantproxy.proxy.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ZooKeeper Java client, unchanged, plus a look at which server (or proxy) it is connected to right now: tests
 * that kill a proxy or an ensemble server need to know which one this session is on.
 */
public final class TestClient extends ZooKeeper {
    TestClient(String connectString, int sessionTimeoutMs, Watcher watcher) throws IOException {
        super(connectString, sessionTimeoutMs, watcher);
    }

    TestClient(String connectString, int sessionTimeoutMs, Watcher watcher, long sessionId, byte[] password)
            throws IOException {
        super(connectString, sessionTimeoutMs, watcher, sessionId, password);
    }

    /** {@link ZooKeeper#close()}, for try-with-resources without an {@code InterruptedException} to declare. */
    @Override
    public void close() {
        try {
            super.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the port of the server (or proxy) the client is connected to, or -1 while it is not */
    public int connectedPort() {
        SocketAddress address = testableRemoteSocketAddress();
        return address instanceof InetSocketAddress a ? a.getPort() : -1;
    }
}
