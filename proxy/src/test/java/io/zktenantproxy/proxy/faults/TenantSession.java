package io.zktenantproxy.proxy.faults;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * A ZooKeeper Java client session of a workload, connected to its tenant's links (so to every replica), that keeps
 * what its default watcher learnt: whether the session expired or was closed. Events on znodes go to an optional
 * listener.
 */
final class TenantSession implements AutoCloseable {
    /** Session timeout of every workload session: a frozen replica stays frozen longer than this. */
    static final int SESSION_TIMEOUT_MS = 10_000;
    private static final long CONNECT_TIMEOUT_SECONDS = 90;

    private final ZooKeeper zk;
    private final CountDownLatch connected = new CountDownLatch(1);
    private volatile boolean expired;
    private volatile boolean closed;
    private volatile Consumer<WatchedEvent> listener = e -> { };

    private TenantSession(String connectString) throws IOException {
        this.zk = new ZooKeeper(connectString, SESSION_TIMEOUT_MS, this::process);
    }

    /**
     * Opens a session and waits until it is connected.
     *
     * @throws IOException if it is not connected within 90 s
     */
    static TenantSession open(String connectString) throws IOException, InterruptedException {
        TenantSession s = new TenantSession(connectString);
        if (!s.connected.await(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            s.close();
            throw new IOException("no session through " + connectString + " within " + CONNECT_TIMEOUT_SECONDS + " s");
        }
        return s;
    }

    /** Sends every later event of the default watcher (znode events and state changes) to {@code listener} too. */
    void listen(Consumer<WatchedEvent> listener) {
        this.listener = listener;
    }

    ZooKeeper zk() {
        return zk;
    }

    /** @return whether the session is gone: expired, or closed by {@link #close} */
    boolean ended() {
        return expired || closed;
    }

    /** @return whether the ensemble expired the session */
    boolean expired() {
        return expired;
    }

    private void process(WatchedEvent event) {
        if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
            connected.countDown();
        } else if (event.getState() == Watcher.Event.KeeperState.Expired) {
            expired = true;
        }
        listener.accept(event);
    }

    /** Closes the session (its ephemerals go with it). */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        zk.close(5_000);
    }
}
