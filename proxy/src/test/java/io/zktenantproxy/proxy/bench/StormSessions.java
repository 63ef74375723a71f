package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The sessions of a reconnect storm: {@code count} {@link ResumingSession}s created through one address of a
 * connect string (one proxy replica), each free to move to the string's other addresses when that one dies; then
 * what became of them ({@link #outcome}). Thread-safe: the sessions live on their event loops, this class only reads
 * their volatile figures.
 */
final class StormSessions implements AutoCloseable {
    /** Connection attempts to open one session before it counts as failed to open. */
    private static final int OPEN_ATTEMPTS = 20;
    private final List<ResumingSession> sessions;
    private final int failedToOpen;

    private StormSessions(List<ResumingSession> sessions, int failedToOpen) {
        this.sessions = sessions;
        this.failedToOpen = failedToOpen;
    }

    /**
     * What became of the sessions after their server died.
     *
     * @param sessions       sessions opened
     * @param lost           sessions that saw their connection close
     * @param resumed        sessions connected again with their id and password
     * @param expired        sessions the ensemble answered as expired (timeout 0 in the {@code ConnectResponse})
     * @param resumeMillis   per resumed session, from the kill to its resume's {@code ConnectResponse}, ms
     * @param attempts       connection attempts per lost session after the loss: mean and max
     * @param connectTimeouts attempts given up after {@code connectTimeout} (no {@code ConnectResponse} in time)
     * @param handshakeFailures TLS handshakes that failed on their own (not cut by {@code connectTimeout}), all
     *                       sessions; 0 without TLS
     * @param handshakeTimeouts of those, ended by the {@code SslHandler}'s handshake timeout
     * @param resumeHandshakeMicros per resumed session over TLS, the handshake of the connection it resumed on, from
     *                       TCP connected to handshake done, microseconds; empty without TLS
     */
    record Outcome(int sessions, int lost, int resumed, int expired, Histogram resumeMillis, double meanAttempts,
                   int maxAttempts, long connectTimeouts, long handshakeFailures, long handshakeTimeouts,
                   Histogram resumeHandshakeMicros) {
        /** @return whether every session was lost and resumed, none expired */
        boolean allResumed() {
            return lost == sessions && resumed == sessions && expired == 0;
        }

        /** @return whether any connection of the sessions was TLS (a handshake completed or failed) */
        boolean tls() {
            return resumeHandshakeMicros.getTotalCount() > 0 || handshakeFailures > 0;
        }

        @Override
        public String toString() {
            String plain = String.format("%d sessions: %d lost, %d resumed, %d expired; resume after the kill p50 %d"
                            + " / p99 %d / max %d ms; attempts per session mean %.2f, max %d; %d connect timeouts",
                    sessions, lost, resumed, expired, resumeMillis.getValueAtPercentile(50),
                    resumeMillis.getValueAtPercentile(99), resumeMillis.getMaxValue(), meanAttempts, maxAttempts,
                    connectTimeouts);
            return !tls() ? plain : plain + String.format("; TLS handshake on resume p50 %d / p99 %d / max %d us,"
                            + " %d handshakes failed (%d timed out)", resumeHandshakeMicros.getValueAtPercentile(50),
                    resumeHandshakeMicros.getValueAtPercentile(99), resumeHandshakeMicros.getMaxValue(),
                    handshakeFailures, handshakeTimeouts);
        }
    }

    /**
     * Opens {@code count} sessions through {@code first}, at most {@code window} handshakes at a time.
     *
     * @param servers   every address of the connect string ({@code first} among them)
     * @param timeoutMs session timeout asked for, ms
     * @return the sessions that opened; {@link #failedToOpen()} tells how many did not
     */
    static StormSessions open(EventLoopGroup group, List<InetSocketAddress> servers, InetSocketAddress first,
                              int count, int window, int timeoutMs) throws InterruptedException {
        return open(group, servers, first, count, window, timeoutMs, null);
    }

    /**
     * As {@link #open(EventLoopGroup, List, InetSocketAddress, int, int, int)}, every connection of every session over
     * TLS with {@code tls} (a client context) unless it is null.
     */
    static StormSessions open(EventLoopGroup group, List<InetSocketAddress> servers, InetSocketAddress first,
                              int count, int window, int timeoutMs, SslContext tls) throws InterruptedException {
        Bootstrap bootstrap = RawSession.bootstrap(group);
        Semaphore permits = new Semaphore(window);
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<ResumingSession> open = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            long seed = 0x5eed0000L + i;
            openOne(() -> ResumingSession.open(group.next(), bootstrap, servers, first, timeoutMs, seed, tls),
                    OPEN_ATTEMPTS, (s, e) -> {
                        if (e != null) {
                            failed.incrementAndGet();
                        } else {
                            open.add(s);
                        }
                        permits.release();
                    });
        }
        permits.acquire(window);
        return new StormSessions(List.copyOf(open), failed.get());
    }

    /**
     * Opens one session, trying again when the connection is refused or closed before its ConnectResponse (a listener
     * shedding a burst it cannot start at once), as a ZooKeeper client keeps trying to connect.
     */
    private static void openOne(Supplier<CompletableFuture<ResumingSession>> attempt, int attemptsLeft,
                                BiConsumer<ResumingSession, Throwable> done) {
        attempt.get().whenComplete((s, e) -> {
            if (e != null && attemptsLeft > 1) {
                openOne(attempt, attemptsLeft - 1, done);
            } else {
                done.accept(s, e);
            }
        });
    }

    int size() {
        return sessions.size();
    }

    int failedToOpen() {
        return failedToOpen;
    }

    /** @return sessions that lost their connection and have either resumed or expired since */
    int settled() {
        int n = 0;
        for (ResumingSession s : sessions) {
            if (s.lostAtNanos() != 0 && (s.resumedAtNanos() != 0 || s.expired())) {
                n++;
            }
        }
        return n;
    }

    /** @return sessions connected now (opened and never lost, or resumed since the last loss) */
    int connected() {
        int n = 0;
        for (ResumingSession s : sessions) {
            if (!s.expired() && (s.lostAtNanos() == 0 || s.resumedAtNanos() != 0)) {
                n++;
            }
        }
        return n;
    }

    /** @return the fewest ping replies any session has received */
    long minPingReplies() {
        return sessions.stream().mapToLong(ResumingSession::pingReplies).min().orElse(0);
    }

    /** @return what became of the sessions, resume times counted from {@code killNanos} ({@link System#nanoTime}) */
    Outcome outcome(long killNanos) {
        Histogram resume = new Histogram(TimeUnit.MINUTES.toMillis(10), 3);
        int lost = 0;
        int resumed = 0;
        int expired = 0;
        long attempts = 0;
        int maxAttempts = 0;
        long timeouts = 0;
        long tlsFailures = 0;
        long tlsTimeouts = 0;
        Histogram handshakes = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        for (ResumingSession s : sessions) {
            if (s.lostAtNanos() == 0) {
                continue;
            }
            lost++;
            int after = s.attempts() - 1; // the first connection was the one that died
            attempts += after;
            maxAttempts = Math.max(maxAttempts, after);
            timeouts += s.connectTimeouts();
            tlsFailures += s.handshakeFailures();
            tlsTimeouts += s.handshakeTimeouts();
            if (s.expired()) {
                expired++;
            } else if (s.resumedAtNanos() != 0) {
                resumed++;
                resume.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMillis(s.resumedAtNanos() - killNanos)));
                if (s.resumeHandshakeNanos() > 0) {
                    handshakes.recordValue(TimeUnit.NANOSECONDS.toMicros(s.resumeHandshakeNanos()));
                }
            }
        }
        return new Outcome(sessions.size(), lost, resumed, expired, resume, lost == 0 ? 0 : attempts / (double) lost,
                maxAttempts, timeouts, tlsFailures, tlsTimeouts, handshakes);
    }

    @Override
    public void close() {
        sessions.forEach(ResumingSession::close);
    }
}
