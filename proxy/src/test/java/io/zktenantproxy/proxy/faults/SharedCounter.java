package io.zktenantproxy.proxy.faults;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.shared.SharedCount;
import org.apache.curator.framework.recipes.shared.VersionedValue;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.ZooKeeper;

/**
 * Increments of a Curator {@link SharedCount} ({@code /ledger/counter}): a client takes the count's versioned value
 * and {@code trySetCount}s it plus one, taking the value again when another client won (a refused compare-and-set,
 * certainly not applied). Curator is told not to retry on connection loss ({@code RetryNTimes(0, 0)}): a retried
 * compare-and-set whose first attempt was applied would be refused and the increment made again by the recipe, which
 * is Curator's behaviour, not the proxy's. The check: the final count lies between the acknowledged increments and
 * those plus the unknown ones (below: lost; above: duplicated).
 */
final class SharedCounter extends Workload {
    static final String PATH = "/ledger/counter";
    private static final int CLIENTS = 2;
    private static final long PERIOD_MS = 100;
    private static final int ATTEMPTS = 20;

    private final List<CuratorFramework> curators = new ArrayList<>();
    private final List<SharedCount> counts = new ArrayList<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong gaveUp = new AtomicLong();

    SharedCounter(String tenant, String connectString) {
        super(tenant, connectString);
    }

    @Override
    String name() {
        return "SharedCount increments";
    }

    @Override
    void setUp() throws Exception {
        for (int i = 0; i < CLIENTS; i++) {
            CuratorFramework curator = CuratorSessions.start(connectString, new RetryNTimes(0, 0));
            curators.add(curator);
            SharedCount count = new SharedCount(curator, PATH, 0);
            count.start();
            counts.add(count);
        }
    }

    @Override
    void start() {
        for (int i = 0; i < CLIENTS; i++) {
            SharedCount count = counts.get(i);
            every("count-" + i, PERIOD_MS, () -> increment(count));
        }
    }

    private void increment(SharedCount count) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            VersionedValue<Integer> current = count.getVersionedValue();
            try {
                if (count.trySetCount(current, current.getValue() + 1)) {
                    acked.incrementAndGet();
                    return;
                }
            } catch (Exception e) {
                if (Outcome.of(e) == Outcome.UNKNOWN) {
                    unknown.incrementAndGet();
                    return;
                }
            }
        }
        gaveUp.incrementAndGet(); // every attempt refused: not applied
    }

    @Override
    Verdict check(ZooKeeper reader) throws Exception {
        Znodes.sync(reader, PATH);
        long count = ByteBuffer.wrap(reader.getData(PATH, false, null)).getInt();
        long lost = Math.max(0, acked.get() - count);
        long duplicated = Math.max(0, count - acked.get() - unknown.get());
        return new Verdict(name(), tenant, acked.get(), unknown.get(), lost, duplicated, 0, 0, 0,
                "count " + count + "; " + gaveUp.get() + " gave up after " + ATTEMPTS + " refusals");
    }

    @Override
    public void close() throws Exception {
        super.close();
        for (SharedCount c : counts) {
            c.close();
        }
        for (CuratorFramework c : curators) {
            c.close();
        }
    }
}
