package io.zktenantproxy.proxy.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Critical sections under a Curator {@link InterProcessMutex} ({@code /ledger/mutex/lock}) that append to a ledger
 * znode ({@code /ledger/mutex/log}): the holder reads the ledger and writes its entry and then its exit, each write
 * a compare-and-set on the version it read or wrote last, sent on the holder's own session without retries. A write
 * of a holder refused for a bad version means another holder wrote inside its section: a mutual exclusion violation.
 *
 * <p>One exception is counted apart, as Jepsen's analysis of ZooKeeper locks does: a holder whose write's outcome
 * was unknown (its connection dropped) leaves its section at once, and that write may still be applied after the
 * next holder read the ledger. A refusal within {@link #IN_FLIGHT_WINDOW_MS} after such an abandoned section is
 * reported as explained, not as a violation. The ledger's final text must also pair every entry with its exit
 * unless the section was abandoned.
 */
final class MutexSections extends Workload {
    static final String LOCK = "/ledger/mutex/lock";
    static final String LOG = "/ledger/mutex/log";
    /** How long after an abandoned section its last write may still land: a session timeout and more. */
    static final long IN_FLIGHT_WINDOW_MS = 2L * TenantSession.SESSION_TIMEOUT_MS;
    private static final int CLIENTS = 3;
    private static final long PERIOD_MS = 30;
    private static final int LOG_KEEP_CHARS = 2_000;

    private final List<CuratorFramework> curators = new ArrayList<>();
    private final AtomicLong sections = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private final AtomicLong explained = new AtomicLong();
    private final java.util.Set<String> endedEarly = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile long lastAbandonedMillis = Long.MIN_VALUE / 2;

    MutexSections(String tenant, String connectString) {
        super(tenant, connectString);
    }

    @Override
    String name() {
        return "InterProcessMutex sections";
    }

    @Override
    void setUp() throws Exception {
        for (int i = 0; i < CLIENTS; i++) {
            curators.add(CuratorSessions.start(connectString, new ExponentialBackoffRetry(100, 6)));
        }
        ZooKeeper zk = curators.get(0).getZookeeperClient().getZooKeeper();
        Znodes.createParents(zk, LOG);
        Znodes.create(zk, LOG, tagged(""));
    }

    @Override
    void start() {
        for (int i = 0; i < CLIENTS; i++) {
            CuratorFramework curator = curators.get(i);
            InterProcessMutex mutex = new InterProcessMutex(curator, LOCK);
            String holder = "h" + i;
            AtomicLong next = new AtomicLong();
            every(holder, PERIOD_MS, () -> {
                try {
                    if (!mutex.acquire(5, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (Exception e) {
                    return; // not acquired: no section
                }
                try {
                    section(curator, holder + "#" + next.getAndIncrement());
                } finally {
                    try {
                        mutex.release();
                    } catch (Exception e) {
                        // the lock's znode goes with the session if release could not delete it
                    }
                }
            });
        }
    }

    /** One critical section: enter and exit appended to the ledger, each a compare-and-set. */
    private void section(CuratorFramework curator, String id) {
        sections.incrementAndGet();
        try {
            ZooKeeper zk = curator.getZookeeperClient().getZooKeeper();
            Stat stat = new Stat();
            String log = new String(zk.getData(LOG, false, stat), StandardCharsets.UTF_8);
            int version = stat.getVersion();
            for (String mark : new String[] {"+", "-"}) {
                log = trim(log) + " " + mark + id;
                version = write(zk, log, version);
                if (version < 0) {
                    endedEarly.add(id);
                    return;
                }
            }
        } catch (Exception e) {
            // the read failed (or Curator has no connection): nothing written
        }
    }

    /** @return the new version, or -1 when the section must end (refused or unknown; counted) */
    private int write(ZooKeeper zk, String log, int version) throws InterruptedException {
        try {
            Stat written = zk.setData(LOG, log.getBytes(StandardCharsets.UTF_8), version);
            acked.incrementAndGet();
            return written.getVersion();
        } catch (KeeperException e) {
            if (e.code() == KeeperException.Code.BADVERSION) {
                if (System.currentTimeMillis() - lastAbandonedMillis < IN_FLIGHT_WINDOW_MS) {
                    explained.incrementAndGet();
                } else {
                    violations.incrementAndGet();
                }
            } else if (Outcome.of(e) == Outcome.UNKNOWN) {
                unknown.incrementAndGet();
                abandoned.incrementAndGet();
                lastAbandonedMillis = System.currentTimeMillis();
            }
            return -1;
        }
    }

    /** Keeps the ledger's text under a size ZooKeeper takes easily; the tail is what the check reads. */
    private String trim(String log) {
        if (log.length() <= LOG_KEEP_CHARS) {
            return log;
        }
        int cut = log.indexOf(" +", log.length() - LOG_KEEP_CHARS);
        return tagged("…") + (cut < 0 ? "" : log.substring(cut));
    }

    @Override
    Verdict check(ZooKeeper reader) throws Exception {
        Znodes.sync(reader, LOG);
        String log = new String(reader.getData(LOG, false, null), StandardCharsets.UTF_8);
        long foreign = log.startsWith(tenant + TAG_SEPARATOR) ? 0 : 1;
        long unpaired = unpairedEntries(log.substring(log.indexOf(' ') + 1));
        return new Verdict(name(), tenant, acked.get(), unknown.get(), 0, 0, 0, violations.get() + unpaired, foreign,
                sections.get() + " sections, " + abandoned.get() + " abandoned, " + explained.get()
                        + " refusals after an abandoned one");
    }

    /** @return entries of the ledger's text not followed by their own exit, of sections that did not end early */
    private long unpairedEntries(String text) {
        String[] marks = text.trim().split(" ");
        long unpaired = 0;
        for (int i = 0; i < marks.length; i++) {
            String mark = marks[i];
            if (mark.startsWith("+") && !endedEarly.contains(mark.substring(1))
                    && i + 1 < marks.length && !marks[i + 1].equals("-" + mark.substring(1))) {
                unpaired++;
            }
        }
        return unpaired;
    }

    @Override
    public void close() throws Exception {
        super.close();
        for (CuratorFramework c : curators) {
            c.close();
        }
    }
}
