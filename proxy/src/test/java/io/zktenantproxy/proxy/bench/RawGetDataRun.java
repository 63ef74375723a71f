package io.zktenantproxy.proxy.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The {@code getData128} workload of {@link LoadRun} on {@link RawSession}s instead of the ZooKeeper Java client, so
 * that it can run over TLS with Netty's {@code SslHandler} ({@code LoadBench --tls}): {@code sessions} sessions, each
 * on a client event loop of its own, keep {@code inFlight} getData requests outstanding; a reply records its latency
 * and sends the next request until the run's deadline. Each session's figures are confined to its event loop during
 * a run and read under its lock afterwards.
 */
final class RawGetDataRun implements Workload {
    private static final int SESSION_TIMEOUT_MS = 30_000;

    private final LoadBench.Scenario scenario;
    private final EventLoopGroup group;
    private final List<Session> sessions = new ArrayList<>();

    private RawGetDataRun(LoadBench.Scenario scenario, EventLoopGroup group) {
        this.scenario = scenario;
        this.group = group;
    }

    /**
     * Opens the scenario's sessions to {@code host:port}, over TLS with {@code tls} unless it is null; {@code base} is
     * prepended to every path ("" through the proxy).
     */
    static RawGetDataRun open(LoadBench.Scenario scenario, String host, int port, String base, SslContext tls)
            throws Exception {
        if (scenario.kind() != LoadRun.Kind.GET_DATA_128 || scenario.watchers() > 0) {
            throw new IllegalArgumentException("raw sessions run getData128 only, not " + scenario.label());
        }
        RawGetDataRun run = new RawGetDataRun(scenario, RawSession.group(scenario.sessions(), "raw-client"));
        try {
            for (int i = 0; i < scenario.sessions(); i++) {
                RawSession raw = RawSession.open(RawSession.bootstrap(run.group.next()), host, port,
                        SESSION_TIMEOUT_MS, tls).get(30, TimeUnit.SECONDS);
                run.sessions.add(new Session(raw, base + "/g/" + i));
            }
        } catch (Exception e) {
            run.close();
            throw e;
        }
        return run;
    }

    @Override
    public LoadRun.Result run(int seconds) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(sessions.size() * scenario.inFlight());
        for (Session s : sessions) {
            s.raw.channel().eventLoop().execute(() -> s.start(deadline, scenario.inFlight(), done));
        }
        boolean finished = done.await(seconds + 60L, TimeUnit.SECONDS);
        Histogram total = LoadBench.newHistogram();
        long ops = 0;
        long errors = finished ? 0 : done.getCount();
        for (Session s : sessions) {
            synchronized (s) {
                total.add(s.histogram);
                ops += s.ops;
                errors += s.raw.errors() - s.errorsBefore;
            }
        }
        int lastError = errors > 0 ? org.apache.zookeeper.KeeperException.Code.SYSTEMERROR.intValue() : 0;
        return new LoadRun.Result(ops, (deadline - start) / 1e9, total, errors, lastError);
    }

    @Override
    public void close() throws InterruptedException {
        for (Session s : sessions) {
            s.raw.channel().eventLoop().execute(() -> s.raw.closeSession());
        }
        for (Session s : sessions) {
            try {
                s.raw.closed().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                s.raw.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** One session and its figures for the current run. */
    private static final class Session {
        final RawSession raw;
        final String node;
        Histogram histogram = LoadBench.newHistogram();
        long ops;
        long errorsBefore;

        Session(RawSession raw, String node) {
            this.raw = raw;
            this.node = node;
        }

        /** On the session's event loop: resets the figures and sends the first {@code inFlight} requests. */
        void start(long deadline, int inFlight, CountDownLatch done) {
            synchronized (this) {
                histogram = LoadBench.newHistogram();
                ops = 0;
                errorsBefore = raw.errors();
            }
            raw.onReply(latency -> {
                long now = System.nanoTime();
                if (now <= deadline) {
                    synchronized (this) {
                        histogram.recordValue(latency);
                        ops++;
                    }
                }
                if (now < deadline) {
                    raw.getData(node);
                } else {
                    done.countDown();
                }
            });
            for (int k = 0; k < inFlight; k++) {
                raw.getData(node);
            }
        }
    }
}
