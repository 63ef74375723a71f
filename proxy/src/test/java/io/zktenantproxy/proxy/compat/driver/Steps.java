package io.zktenantproxy.proxy.compat.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a scenario driver needs beside its client, in JDK types only: the driver runs in a class loader that sees the
 * client under test and the JDK, not the test class path (no JUnit, no Awaitility), so it checks with {@link #check}
 * (an {@link AssertionError}, a JDK class the harness catches as is) and waits on queues with a deadline.
 *
 * <p>The harness hands a driver a {@code Map<String, Object>} of parameters ({@link #CONNECT}, {@link #LOG},
 * {@link #CUT}, {@link #NEWER_OPS}, {@link #CLIENT_VERSION}); every step the driver passes is reported as one line
 * {@code "ok <step> <detail>"} to {@link #LOG}.
 */
public final class Steps {
    /** {@code String}: the proxy's connect string for the cell's tenant. */
    public static final String CONNECT = "connect";
    /** {@code Consumer<String>}: receives one line per step passed. */
    public static final String LOG = "log";
    /** {@code Runnable}: the proxy closes every connection (it restarts on the same port); returns once it listens. */
    public static final String CUT = "cut";
    /**
     * {@code String}: what to expect of the 3.6+ requests ({@code addWatch}, {@code multiRead},
     * {@code getEphemerals}): {@code "served"} (client and ensemble have them), {@code "unimplemented"} (the client
     * has them, the ensemble does not: -6 from the proxy, connection kept) or {@code "absent"} (the client lacks them).
     */
    public static final String NEWER_OPS = "newerOps";
    /** {@code String}: the release of the client under test ({@code "3.4.14"}), for the report. */
    public static final String CLIENT_VERSION = "clientVersion";

    /** {@code String}: which cache recipe stands for Flink's leader retrieval: {@code "node"}, {@code "tree"} or
     *  {@code "curator"}. */
    public static final String CACHE = "cache";

    /** How long any one awaited event may take: generous, CI runs on a loaded 2-core machine. */
    public static final long DEADLINE_MS = 60_000;

    private final Consumer<String> log;
    private final Map<String, Object> params;

    Steps(Map<String, Object> params) {
        this.params = params;
        @SuppressWarnings("unchecked")
        Consumer<String> sink = (Consumer<String>) params.get(LOG);
        this.log = sink;
    }

    String connectString() {
        return (String) params.get(CONNECT);
    }

    String newerOps() {
        return (String) params.get(NEWER_OPS);
    }

    String cache() {
        return (String) params.get(CACHE);
    }

    void cut() {
        ((Runnable) params.get(CUT)).run();
    }

    /** A scenario's body. */
    interface Scenario {
        void run(Steps steps) throws Exception;
    }

    /**
     * Runs {@code scenario} with the harness's parameters; what it throws reaches the harness as an
     * {@link AssertionError} (a JDK class, whatever loader the cause's class comes from).
     */
    static void run(Map<String, Object> params, Scenario scenario) {
        try {
            scenario.run(new Steps(params));
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(e.toString(), e);
        }
    }

    /** Reports one passed step. */
    void ok(String step, Object detail) {
        log.accept("ok " + step + (detail == null ? "" : " " + detail));
    }

    /** @throws AssertionError saying {@code what} when {@code condition} is false */
    static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /** @throws AssertionError unless {@code expected.equals(actual)} */
    static void checkEquals(Object expected, Object actual, String what) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }

    /**
     * Takes queued items until one equals {@code wanted}, within {@link #DEADLINE_MS}.
     *
     * @return the items taken before it, for reports
     * @throws AssertionError with every item seen if it does not come in time
     */
    static List<String> await(BlockingQueue<String> queue, String wanted) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (true) {
            String item = queue.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (item == null) {
                throw new AssertionError("'" + wanted + "' did not come within " + DEADLINE_MS + " ms; saw " + seen);
            }
            if (item.equals(wanted)) {
                return seen;
            }
            seen.add(item);
        }
    }

    /**
     * Takes queued items until each of {@code wanted} was seen, in any order, within {@link #DEADLINE_MS}.
     *
     * @throws AssertionError naming what is missing and everything seen if they do not all come in time
     */
    static void awaitAll(BlockingQueue<String> queue, String... wanted) throws InterruptedException {
        java.util.Set<String> missing = new java.util.LinkedHashSet<>(List.of(wanted));
        List<String> seen = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (!missing.isEmpty()) {
            String item = queue.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (item == null) {
                throw new AssertionError(missing + " did not come within " + DEADLINE_MS + " ms; saw " + seen);
            }
            missing.remove(item);
            seen.add(item);
        }
    }

    /** @return a queue for events reported from a client's threads */
    static BlockingQueue<String> queue() {
        return new LinkedBlockingQueue<>();
    }
}
