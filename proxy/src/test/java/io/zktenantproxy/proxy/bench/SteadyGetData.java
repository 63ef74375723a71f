package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A steady, open-loop getData load of one tenant: {@code sessions} {@link RawSession}s each send a getData of one
 * path at a fixed interval whether or not earlier replies came back (so a stall shows as latency, not as fewer
 * requests), the latency of each reply (ns, from its send) recorded twice: for the caller's phases
 * ({@link #phase()}) and per second of a timeline ({@link #tick()}). Thread-safe (HdrHistogram {@link Recorder}s).
 */
final class SteadyGetData implements AutoCloseable {
    private final List<RawSession> sessions = new ArrayList<>();
    private final List<ScheduledFuture<?>> senders = new ArrayList<>();
    private final Recorder phases = new Recorder(3);
    private final Recorder ticks = new Recorder(3);

    private SteadyGetData() {
    }

    /**
     * @param ratePerSecond getData requests a second, all sessions together
     * @param path          the client path read (through the proxy: the tenant's path)
     */
    static SteadyGetData start(EventLoopGroup group, String host, int port, int sessions, int ratePerSecond,
                               String path) throws Exception {
        return start(group, host, port, sessions, ratePerSecond, path, null);
    }

    /**
     * As {@link #start(EventLoopGroup, String, int, int, int, String)}, the sessions over TLS with {@code tls} (a
     * client context, the server's certificate checked against {@code host}) unless it is null.
     */
    static SteadyGetData start(EventLoopGroup group, String host, int port, int sessions, int ratePerSecond,
                               String path, SslContext tls) throws Exception {
        SteadyGetData load = new SteadyGetData();
        Bootstrap bootstrap = RawSession.bootstrap(group);
        long periodMicros = TimeUnit.SECONDS.toMicros(1) * sessions / ratePerSecond;
        for (int i = 0; i < sessions; i++) {
            RawSession s = RawSession.open(bootstrap, host, port, 30_000, tls).get(30, TimeUnit.SECONDS);
            s.onReply(nanos -> {
                load.phases.recordValue(nanos);
                load.ticks.recordValue(nanos);
            });
            load.sessions.add(s);
            load.senders.add(s.channel().eventLoop().scheduleAtFixedRate(() -> s.getData(path),
                    periodMicros * i / sessions, periodMicros, TimeUnit.MICROSECONDS));
        }
        return load;
    }

    /** @return the latencies (ns) recorded since the previous call (or the start), for a phase of the run */
    Histogram phase() {
        return phases.getIntervalHistogram();
    }

    /** @return the latencies (ns) recorded since the previous call, for one row of a timeline */
    Histogram tick() {
        return ticks.getIntervalHistogram();
    }

    /** @return error replies and out-of-order replies so far, all sessions */
    long errors() {
        return sessions.stream().mapToLong(RawSession::errors).sum();
    }

    /** @return sessions whose connection is open */
    long active() {
        return sessions.stream().filter(RawSession::isActive).count();
    }

    @Override
    public void close() {
        senders.forEach(f -> f.cancel(false));
        sessions.forEach(RawSession::close);
    }
}
