package io.zktenantproxy.proxy.faults;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tenant flooding its request budget: one session of the tenant keeps {@value #IN_FLIGHT} {@code getData} requests
 * in flight for as long as the flood lasts, far more than the budget the replicas give the tenant, so the replica it
 * is connected to slows that tenant down while the other tenant must not notice. Runs on a thread of its own beside
 * the nemesis's other faults.
 */
final class BudgetFlood {
    private static final int IN_FLIGHT = 200;

    private final String connectString;
    private final AtomicLong answered = new AtomicLong();

    BudgetFlood(String connectString) {
        this.connectString = connectString;
    }

    /** Floods for {@code millis} from a new session, then closes it; returns at once. */
    void start(long millis) {
        Thread flood = new Thread(() -> run(millis), "faults-flood");
        flood.setDaemon(true);
        flood.start();
    }

    /** @return requests of every flood answered so far */
    long answered() {
        return answered.get();
    }

    private void run(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        try (TenantSession session = TenantSession.open(connectString)) {
            Semaphore window = new Semaphore(IN_FLIGHT);
            while (System.nanoTime() - end < 0) {
                if (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                session.zk().getData("/ledger", false, (rc, path, ctx, data, stat) -> {
                    answered.incrementAndGet();
                    window.release();
                }, null);
            }
        } catch (Exception e) {
            System.err.println("faults: the flood ended early: " + e);
        }
    }
}
