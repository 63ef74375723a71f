package io.zktenantproxy.proxy.faults;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Watches: a writer session sets the data of a few znodes ({@code /ledger/watched/w0..}); watcher sessions learn
 * the znodes' versions only from notifications. One watcher re-arms one-shot data watches ({@code getData} with a
 * watcher, again after each {@code NodeDataChanged}); the other holds one persistent recursive watch
 * ({@code addWatch}) and reads a znode after each of its events. Neither polls: a watcher reads again on its own only
 * when the read that was to arm a watch failed. ZooKeeper may fold several changes into one notification, so the
 * check is on versions: once the writer stops, every watcher must come to see the final version of every znode
 * (within {@link #CATCH_UP}); one that does not has lost a watch (lost), unless its session expired.
 */
final class Watches extends Workload {
    static final String PARENT = "/ledger/watched";
    private static final int ZNODES = 3;
    private static final long WRITE_PERIOD_MS = 100;
    private static final Duration CATCH_UP = Duration.ofSeconds(60);

    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final List<Watcher0> watchers = new ArrayList<>();
    private TenantSession writer;

    /** A watcher session and the highest version it saw of each znode. */
    private final class Watcher0 {
        final String name;
        final TenantSession session;
        final AtomicIntegerArray seen = new AtomicIntegerArray(ZNODES);
        final boolean persistent;
        final boolean[] armed = new boolean[ZNODES];
        final AtomicLong notifications = new AtomicLong();

        Watcher0(String name, TenantSession session, boolean persistent) {
            this.name = name;
            this.session = session;
            this.persistent = persistent;
            for (int i = 0; i < ZNODES; i++) {
                seen.set(i, -1);
            }
        }

        /** Reads znode {@code i}, arming a one-shot watch unless this watcher's watch is persistent. */
        void read(int i) {
            Watcher oneShot = persistent ? null : this::onEvent;
            session.zk().getData(znode(i), oneShot, (rc, path, ctx, data, stat) -> {
                if (rc == 0) {
                    seen.accumulateAndGet(i, stat.getVersion(), Math::max);
                }
                synchronized (armed) {
                    armed[i] = rc == 0;
                }
            }, null);
        }

        void onEvent(WatchedEvent event) {
            if (event.getType() == Watcher.Event.EventType.None) {
                if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                    for (int i = 0; i < ZNODES; i++) {
                        boolean rearm;
                        synchronized (armed) {
                            rearm = !armed[i];
                        }
                        if (rearm) {
                            read(i);
                        }
                    }
                }
                return;
            }
            int i = index(event.getPath());
            if (i >= 0) {
                notifications.incrementAndGet();
                read(i);
            }
        }
    }

    Watches(String tenant, String connectString) {
        super(tenant, connectString);
    }

    @Override
    String name() {
        return "watches";
    }

    @Override
    void setUp() throws Exception {
        writer = TenantSession.open(connectString);
        Znodes.createParents(writer.zk(), PARENT + "/x");
        Znodes.create(writer.zk(), PARENT, tagged(""));
        for (int i = 0; i < ZNODES; i++) {
            Znodes.create(writer.zk(), znode(i), tagged("0"));
        }
        for (boolean persistent : new boolean[] {false, true}) {
            Watcher0 w = new Watcher0(persistent ? "persistent" : "one-shot", TenantSession.open(connectString),
                    persistent);
            if (persistent) {
                w.session.zk().addWatch(PARENT, w::onEvent, AddWatchMode.PERSISTENT_RECURSIVE);
            }
            w.session.listen(w::onEvent);
            for (int i = 0; i < ZNODES; i++) {
                w.read(i);
            }
            watchers.add(w);
        }
    }

    @Override
    void start() {
        AtomicLong next = new AtomicLong();
        every("watch-writer", WRITE_PERIOD_MS, () -> {
            long n = next.getAndIncrement();
            int i = (int) (n % ZNODES);
            try {
                writer.zk().setData(znode(i), tagged(Long.toString(n)).getBytes(StandardCharsets.UTF_8), -1);
                acked.incrementAndGet();
            } catch (KeeperException | InterruptedException e) {
                if (Outcome.of(e) == Outcome.UNKNOWN) {
                    unknown.incrementAndGet();
                }
            }
        });
    }

    @Override
    Verdict check(ZooKeeper reader) throws Exception {
        int[] finalVersion = new int[ZNODES];
        for (int i = 0; i < ZNODES; i++) {
            Znodes.sync(reader, znode(i));
            Stat stat = new Stat();
            reader.getData(znode(i), false, stat);
            finalVersion[i] = stat.getVersion();
        }
        long missed = 0;
        long expired = 0;
        StringBuilder note = new StringBuilder();
        for (Watcher0 w : watchers) {
            if (w.session.expired()) {
                expired++;
                continue;
            }
            for (int i = 0; i < ZNODES; i++) {
                int index = i;
                try {
                    await(w.name + " watcher seeing version " + finalVersion[i] + " of " + znode(i))
                            .atMost(CATCH_UP).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                            .until(() -> w.seen.get(index) >= finalVersion[index]);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    missed++;
                    System.err.println("faults: the " + w.name + " watcher of " + tenant + " saw version "
                            + w.seen.get(i) + " of " + znode(i) + ", final " + finalVersion[i]);
                }
            }
            note.append(w.name).append(' ').append(w.notifications.get()).append(" notifications; ");
        }
        return new Verdict(name(), tenant, acked.get(), unknown.get(), missed, 0, 0, 0, 0,
                note.toString() + expired + " watcher sessions expired");
    }

    private static String znode(int i) {
        return PARENT + "/w" + i;
    }

    private static int index(String path) {
        if (path == null || !path.startsWith(PARENT + "/w")) {
            return -1;
        }
        try {
            int i = Integer.parseInt(path.substring(PARENT.length() + 2));
            return i < ZNODES ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() throws Exception {
        super.close();
        if (writer != null) {
            writer.close();
        }
        for (Watcher0 w : watchers) {
            w.session.close();
        }
    }
}
