package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The sessions of one side (direct or proxied) of one scenario, and timed runs over them. Each session keeps
 * {@code inFlight} requests outstanding with the asynchronous API: a completion records its latency and issues the
 * next request, until the run's deadline. All callbacks of one session run on its single event thread, so each
 * session's histogram and counters are confined to that thread.
 *
 * <p>Workloads (one "op" each): getData of a 128 B znode; setData of 1 KiB or 1 MiB; create then delete of a fresh
 * znode (two requests); a multi of five create+delete pairs (ten sub-ops, one request); and watch notifications:
 * one writer keeps {@code inFlight} setData requests outstanding on one znode that every watcher session watches with
 * a persistent watch; an op is one notification delivered, its latency from the write being sent to the notification
 * being received (a write's n-th notification at each watcher belongs to its n-th write: one writer, FIFO).
 *
 * <p>Session establishment ({@code connect}) opens no Java client sessions: each of {@code sessions} client threads
 * (Netty event loops) keeps {@code inFlight} {@link RawSession} cycles going, each a new TCP connection (with a full
 * TLS handshake if the run has a TLS context), a {@code ConnectRequest} for a new session, the server's {@code ConnectResponse} (an op; its latency from the start
 * of the TCP connect), then {@code closeSession} and its reply, and the next cycle once the connection is closed.
 */
final class LoadRun implements Workload {
    enum Kind {
        GET_DATA_128("getData128", "getData 128 B"),
        SET_DATA_1K("setData1k", "setData 1 KiB"),
        CREATE_DELETE("createDelete", "create + delete"),
        MULTI_10("multi10", "multi of 10 ops"),
        WATCH("watch", "watch notifications"),
        SET_DATA_1M("setData1m", "setData 1 MiB"),
        CONNECT("connect", "session establishment");

        private final String id;
        private final String label;

        Kind(String id, String label) {
            this.id = id;
            this.label = label;
        }

        static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("workload " + id);
        }

        String label() {
            return label;
        }

        byte[] data() {
            return switch (this) {
                case GET_DATA_128 -> new byte[128];
                case SET_DATA_1K -> new byte[1024];
                case SET_DATA_1M -> new byte[1024 * 1024];
                case WATCH -> new byte[16];
                default -> new byte[0];
            };
        }
    }

    /** Outcome of one run. */
    record Result(long opsTotal, double seconds, Histogram histogram, long errors, int lastError) {
        double opsPerSecond() {
            return opsTotal / seconds;
        }

        @Override
        public String toString() {
            return String.format("%,.0f ops/s p50 %.0f µs p99 %.0f µs p99.9 %.0f µs errors %d", opsPerSecond(),
                    histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
                    histogram.getValueAtPercentile(99.9) / 1000.0, errors)
                    + (errors > 0 ? " (last: " + org.apache.zookeeper.KeeperException.Code.get(lastError) + ")" : "");
        }
    }

    private static final String ROOT = "/tenants/bench";
    private static final int SEND_TIMES = 1 << 20;
    /** Session timeout the {@code connect} cycles ask for (their sessions live a few milliseconds). */
    private static final int CONNECT_TIMEOUT_MS = 30_000;
    /** Pause before a {@code connect} cycle tries again after a failed one. */
    private static final long RETRY_MILLIS = 10;

    private final LoadBench.Scenario scenario;
    private final String base;
    private final List<ZooKeeper> sessions = new ArrayList<>();
    private final List<SessionState> states = new ArrayList<>();
    private final List<WatcherSession> watchers = new ArrayList<>();
    private final AtomicLongArray sendTimes;
    /** The client threads of {@code connect}; null for the other workloads. */
    private EventLoopGroup connectGroup;
    private String host;
    private int port;
    /** The TLS of the {@code connect} cycles, null for plain TCP. */
    private SslContext tls;
    private volatile Run current;

    private LoadRun(LoadBench.Scenario scenario, String base) {
        this.scenario = scenario;
        this.base = base;
        this.sendTimes = scenario.kind() == Kind.WATCH ? new AtomicLongArray(SEND_TIMES) : null;
    }

    /** Creates the znodes the scenario uses under the tenant {@code bench}, through a direct session. */
    static void setUp(ZooKeeper admin, LoadBench.Scenario scenario) throws Exception {
        setUp(admin, scenario, ROOT);
    }

    /** Creates the znodes the scenario uses under {@code root} (a chroot), through a direct session (server paths). */
    static void setUp(ZooKeeper admin, LoadBench.Scenario scenario, String root) throws Exception {
        setUp(admin, scenario, root, ZooDefs.Ids.OPEN_ACL_UNSAFE);
    }

    /**
     * Creates the znodes the scenario uses under {@code root} (a chroot), through a direct session (server paths),
     * with {@code acl} (e.g. the ACL the proxy gives what its tenant creates with {@code world:anyone} when tenant
     * identities are on). Znodes that exist keep theirs.
     */
    static void setUp(ZooKeeper admin, LoadBench.Scenario scenario, String root, List<ACL> acl) throws Exception {
        for (String dir : List.of("/g", "/s", "/c", "/m", "/w")) {
            LoadBench.ensure(admin, root + dir, acl);
        }
        if (scenario.kind() == Kind.CONNECT) {
            return;
        }
        byte[] data = scenario.kind().data();
        for (int i = 0; i < scenario.sessions(); i++) {
            String node = root + (scenario.kind() == Kind.GET_DATA_128 ? "/g/" : "/s/") + i;
            LoadBench.ensure(admin, node, acl);
            admin.setData(node, scenario.kind() == Kind.GET_DATA_128 ? data : new byte[0], -1);
        }
        LoadBench.ensure(admin, root + "/w/node", acl);
    }

    /** Connects the scenario's sessions; {@code base} is prepended to every path ("" through the proxy). */
    static LoadRun open(LoadBench.Scenario scenario, String connectString, String base) throws Exception {
        return open(scenario, connectString, base, null);
    }

    /**
     * Connects the scenario's sessions, each authenticated with {@code digestAuth} ({@code user:password}, the
     * {@code digest} scheme) unless it is null; {@code base} is prepended to every path ("" through the proxy). For
     * {@code connect}, starts its client threads instead (its sessions are opened by the runs, without auth).
     */
    static LoadRun open(LoadBench.Scenario scenario, String connectString, String base, byte[] digestAuth)
            throws Exception {
        return open(scenario, connectString, base, digestAuth, null);
    }

    /**
     * As {@link #open(LoadBench.Scenario, String, String, byte[])}; {@code connect} cycles over TLS with {@code tls}
     * unless it is null (a TLS handshake, then the session: the op's latency covers both). The Java client sessions
     * of the other workloads do not take it.
     */
    static LoadRun open(LoadBench.Scenario scenario, String connectString, String base, byte[] digestAuth,
                        SslContext tls) throws Exception {
        if (tls != null && scenario.kind() != Kind.CONNECT) {
            throw new IllegalArgumentException("TLS: " + scenario.label() + " (expected: connect; getData128 runs "
                    + "on RawGetDataRun)");
        }
        LoadRun run = new LoadRun(scenario, base);
        run.tls = tls;
        if (scenario.kind() == Kind.CONNECT) {
            int colon = connectString.lastIndexOf(':');
            run.host = connectString.substring(0, colon);
            run.port = Integer.parseInt(connectString.substring(colon + 1));
            run.connectGroup = RawSession.group(scenario.sessions(), "connect-client");
            for (int i = 0; i < scenario.sessions(); i++) {
                run.states.add(run.new SessionState(null, i));
            }
            return run;
        }
        try {
            for (int i = 0; i < scenario.sessions(); i++) {
                ZooKeeper zk = connect(connectString, digestAuth);
                run.sessions.add(zk);
                run.states.add(run.new SessionState(zk, i));
            }
            for (int i = 0; i < scenario.watchers(); i++) {
                ZooKeeper zk = connect(connectString, digestAuth);
                run.sessions.add(zk);
                WatcherSession w = run.new WatcherSession();
                run.watchers.add(w);
                LoadBench.addWatch(zk, base + "/w/node", w);
            }
        } catch (Exception e) {
            run.close();
            throw e;
        }
        return run;
    }

    private static ZooKeeper connect(String connectString, byte[] digestAuth) throws Exception {
        ZooKeeper zk = LoadBench.connect(connectString);
        if (digestAuth != null) {
            zk.addAuthInfo("digest", digestAuth);
        }
        return zk;
    }

    /** Runs for {@code seconds}, then waits for every outstanding request. */
    @Override
    public Result run(int seconds) throws InterruptedException {
        Thread.sleep(300); // let the previous run's last replies and notifications drain
        Run run = new Run(System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
        for (SessionState s : states) {
            s.reset();
        }
        for (WatcherSession w : watchers) {
            w.reset();
        }
        current = run;
        long start = System.nanoTime();
        for (SessionState s : states) {
            for (int k = 0; k < scenario.inFlight(); k++) {
                run.outstanding.incrementAndGet();
                if (scenario.kind() == Kind.CONNECT) {
                    new ConnectLoop(s, run).issue();
                } else {
                    new Loop(s, k, run).issue();
                }
            }
        }
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(run.deadline - System.nanoTime()));
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (run.outstanding.get() > 0 && System.nanoTime() < waitUntil) {
            Thread.sleep(5);
        }
        Thread.sleep(300);
        double elapsed = (run.deadline - start) / 1e9;
        Histogram total = LoadBench.newHistogram();
        long ops = 0;
        long errors = run.outstanding.get();
        int lastError = 0;
        if (scenario.kind() == Kind.WATCH) {
            for (WatcherSession w : watchers) {
                synchronized (w) {
                    total.add(w.histogram);
                    ops += w.ops;
                }
            }
            for (SessionState s : states) {
                errors += s.errors;
                lastError = s.lastError != 0 ? s.lastError : lastError;
            }
        } else {
            for (SessionState s : states) {
                synchronized (s) {
                    total.add(s.histogram);
                    ops += s.ops;
                    errors += s.errors;
                    lastError = s.lastError != 0 ? s.lastError : lastError;
                }
            }
        }
        return new Result(ops, elapsed, total, errors, lastError);
    }

    @Override
    public void close() throws InterruptedException {
        for (ZooKeeper zk : sessions) {
            zk.close();
        }
        if (connectGroup != null) {
            connectGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    private static final class Run {
        final long deadline;
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();

        Run(long deadline) {
            this.deadline = deadline;
        }
    }

    /**
     * Per-session state, confined to the session's event thread during a run; for {@code connect}, one client
     * thread's (its cycles all run on that thread's event loop, {@link #bootstrap}).
     */
    private final class SessionState {
        final ZooKeeper zk;
        final int index;
        final String node;
        final Bootstrap bootstrap;
        Histogram histogram = LoadBench.newHistogram();
        long ops;
        long errors;
        int lastError;

        SessionState(ZooKeeper zk, int index) {
            this.zk = zk;
            this.index = index;
            this.node = base + (scenario.kind() == Kind.GET_DATA_128 ? "/g/" : "/s/") + index;
            this.bootstrap = connectGroup == null ? null : RawSession.bootstrap(connectGroup.next());
        }

        EventLoop loop() {
            return (EventLoop) bootstrap.config().group();
        }

        synchronized void reset() {
            histogram = LoadBench.newHistogram();
            ops = 0;
            errors = 0;
            lastError = 0;
        }
    }

    /** A watcher session: counts and times the notifications of the current run. */
    private final class WatcherSession implements Watcher {
        Histogram histogram = LoadBench.newHistogram();
        long ops;
        int seen;

        synchronized void reset() {
            histogram = LoadBench.newHistogram();
            ops = 0;
            seen = 0;
        }

        @Override
        public synchronized void process(WatchedEvent event) {
            if (event.getType() != Event.EventType.NodeDataChanged) {
                return;
            }
            long now = System.nanoTime();
            int n = seen++;
            Run run = current;
            long sent = sendTimes.get(n & (SEND_TIMES - 1));
            if (run != null && sent != 0 && now <= run.deadline) {
                histogram.recordValue(Math.max(0, now - sent));
                ops++;
            }
        }
    }

    /**
     * One of a {@code connect} thread's cycles: a new session (TCP connect, ConnectRequest, ConnectResponse: the op),
     * then {@code closeSession}, then the next cycle once the connection is closed. A failed cycle (refused, closed
     * before the handshake) counts an error and is tried again after {@value #RETRY_MILLIS} ms.
     */
    private final class ConnectLoop {
        private final SessionState thread;
        private final Run run;

        ConnectLoop(SessionState thread, Run run) {
            this.thread = thread;
            this.run = run;
        }

        void issue() {
            long started = System.nanoTime();
            RawSession.open(thread.bootstrap, host, port, CONNECT_TIMEOUT_MS, tls).whenComplete((session, error) -> {
                long now = System.nanoTime();
                if (error != null) {
                    synchronized (thread) {
                        thread.errors++;
                        thread.lastError = org.apache.zookeeper.KeeperException.Code.CONNECTIONLOSS.intValue();
                    }
                    if (now < run.deadline) {
                        thread.loop().schedule(this::issue, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    } else {
                        run.outstanding.decrementAndGet();
                    }
                    return;
                }
                synchronized (thread) {
                    if (now <= run.deadline) {
                        thread.histogram.recordValue(now - started);
                        thread.ops++;
                    }
                }
                session.closeSession().whenComplete((ignored, e) -> {
                    synchronized (thread) {
                        thread.errors += session.errors();
                    }
                    if (System.nanoTime() < run.deadline) {
                        issue();
                    } else {
                        run.outstanding.decrementAndGet();
                    }
                });
            });
        }
    }

    /** One of a session's in-flight slots: issues a request, and the next one when it completes. */
    private final class Loop implements AsyncCallback.DataCallback, AsyncCallback.StatCallback,
            AsyncCallback.StringCallback, AsyncCallback.VoidCallback, AsyncCallback.MultiCallback {
        private final SessionState session;
        private final Run run;
        private final String prefix;
        private final byte[] data;
        private long counter;
        private long started;
        private String created;

        Loop(SessionState session, int slot, Run run) {
            this.session = session;
            this.run = run;
            this.prefix = base + (scenario.kind() == Kind.MULTI_10 ? "/m/" : "/c/") + session.index + "-" + slot + "-";
            this.data = scenario.kind().data();
        }

        void issue() {
            started = System.nanoTime();
            ZooKeeper zk = session.zk;
            switch (scenario.kind()) {
                case GET_DATA_128 -> zk.getData(session.node, false, this, null);
                case SET_DATA_1K, SET_DATA_1M -> zk.setData(session.node, data, -1, this, null);
                case CREATE_DELETE -> {
                    created = prefix + counter++;
                    zk.create(created, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, this, null);
                }
                case MULTI_10 -> {
                    List<Op> ops = new ArrayList<>(10);
                    for (int j = 0; j < 5; j++) {
                        String path = prefix + counter++;
                        ops.add(Op.create(path, data, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
                        ops.add(Op.delete(path, -1));
                    }
                    zk.multi(ops, this, null);
                }
                case WATCH -> {
                    sendTimes.set(run.writes.getAndIncrement() & (SEND_TIMES - 1), started);
                    zk.setData(base + "/w/node", data, -1, this, null);
                }
                default -> throw new IllegalStateException();
            }
        }

        private void done(int rc) {
            long now = System.nanoTime();
            synchronized (session) {
                if (rc != 0) {
                    session.errors++;
                    session.lastError = rc;
                }
                if (now <= run.deadline && scenario.kind() != Kind.WATCH) {
                    session.histogram.recordValue(now - started);
                    session.ops++;
                }
            }
            if (now < run.deadline) {
                issue();
            } else {
                run.outstanding.decrementAndGet();
            }
        }

        @Override
        public void processResult(int rc, String path, Object ctx, byte[] bytes, Stat stat) {
            done(rc);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, Stat stat) {
            done(rc);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, String name) {
            if (rc != 0) {
                done(rc);
            } else {
                session.zk.delete(created, -1, this, null);
            }
        }

        @Override
        public void processResult(int rc, String path, Object ctx) {
            done(rc);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, List<OpResult> results) {
            done(rc);
        }
    }
}
