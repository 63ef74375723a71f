package io.zktenantproxy.proxy.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One workload of the fault-injection suite for one tenant: clients that run operations at a steady pace while the
 * nemesis breaks things, each recording in its ledger what it was told, and a check that compares the ledgers with
 * the state read at the end.
 *
 * <p>Each client runs on a scheduler thread of its own, one operation at a time, as a typical ZooKeeper client
 * does; an operation that blocks (a client reconnecting) delays that client's next one.
 */
abstract class Workload implements AutoCloseable {
    /** Data of every znode a workload writes starts with its tenant's name and this separator. */
    static final String TAG_SEPARATOR = ":";
    private static final long STOP_TIMEOUT_SECONDS = 120;

    protected final String tenant;
    protected final String connectString;
    private final List<ScheduledExecutorService> clients = new ArrayList<>();

    Workload(String tenant, String connectString) {
        this.tenant = tenant;
        this.connectString = connectString;
    }

    /** @return the workload's name in the report */
    abstract String name();

    /** Opens the clients and creates what the workload needs; no fault runs yet. */
    abstract void setUp() throws Exception;

    /** Starts the clients' operations. */
    abstract void start();

    /**
     * @param reader a session of this tenant opened after every fault was healed
     * @return the row of the report, from the ledgers and the state {@code reader} reads now
     */
    abstract Verdict check(org.apache.zookeeper.ZooKeeper reader) throws Exception;

    /** @return {@code tenant + ":" + id}: what a znode of this tenant holds */
    protected String tagged(String id) {
        return tenant + TAG_SEPARATOR + id;
    }

    /** Runs {@code operation} now and every {@code periodMillis} after the previous run ends, on its own thread. */
    protected void every(String client, long periodMillis, Runnable operation) {
        every(client, 0, periodMillis, operation);
    }

    /** {@link #every(String, long, Runnable)}, the first run after {@code initialDelayMillis}. */
    protected void every(String client, long initialDelayMillis, long periodMillis, Runnable operation) {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "faults-" + tenant + "-" + client);
            t.setDaemon(true);
            return t;
        });
        clients.add(thread);
        thread.scheduleWithFixedDelay(() -> {
            try {
                operation.run();
            } catch (RuntimeException e) {
                // a workload records every outcome itself; anything else must not end the client's schedule
                System.err.println("faults: " + name() + " " + client + ": " + e);
            }
        }, initialDelayMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** Stops issuing operations and waits until the ones under way are answered (or fail). */
    void stop() throws InterruptedException {
        for (ScheduledExecutorService c : clients) {
            c.shutdown();
        }
        for (ScheduledExecutorService c : clients) {
            if (!c.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name() + " of " + tenant + ": a client did not stop in "
                        + STOP_TIMEOUT_SECONDS + " s");
            }
        }
    }

    @Override
    public void close() throws Exception {
        for (ScheduledExecutorService c : clients) {
            c.shutdownNow();
        }
    }
}
