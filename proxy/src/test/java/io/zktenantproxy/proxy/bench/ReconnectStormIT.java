package io.zktenantproxy.proxy.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.zktenantproxy.proxy.embedded.EmbeddedZooKeeper;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reconnect storm scaled down from {@link ReconnectStormBench}: 300 sessions of one tenant on one of two proxy
 * replicas (JVMs of their own), that replica killed with SIGKILL; every session must resume on the other with its
 * id and password, none expire, and all stay alive past their session timeout through pings on the new replica.
 * About 15 s. Timing is the benchmark's business: the deadlines here are generous bounds, not measurements.
 */
class ReconnectStormIT {
    private static final int SESSIONS = 300;
    /** Short, so that pinging past it takes seconds; the ensemble's minimum is two ticks, 4 s. */
    private static final int SESSION_TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;

    @Test
    void everySessionResumesOnTheSurvivingReplica() throws Exception {
        EventLoopGroup group = RawSession.group(2, "storm-it");
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), BenchServer.freePort());
             ChildProcess doomed = replica(zk, "doomed");
             ChildProcess survivor = replica(zk, "survivor")) {
            InetSocketAddress first = new InetSocketAddress("127.0.0.1", doomed.port());
            List<InetSocketAddress> servers = List.of(first, new InetSocketAddress("127.0.0.1", survivor.port()));
            try (StormSessions sessions = StormSessions.open(group, servers, first, SESSIONS, 100,
                    SESSION_TIMEOUT_MS)) {
                assertEquals(SESSIONS, sessions.size(), "sessions opened");

                long killed = doomed.kill();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> sessions.settled() == SESSIONS);
                StormSessions.Outcome outcome = sessions.outcome(killed);
                assertEquals(0, outcome.expired(), outcome.toString());
                assertTrue(outcome.allResumed(), outcome.toString());

                // alive on the ensemble: three pings answered by every session, more than its timeout after resuming
                long pings = sessions.minPingReplies();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> sessions.minPingReplies() >= pings + 3);
                assertEquals(SESSIONS, sessions.connected(), sessions.outcome(killed).toString());
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    private ChildProcess replica(EmbeddedZooKeeper zk, String name) throws Exception {
        return ChildProcess.proxy(zk.connectString(), List.of("storm"), "maxConnectionsPerTenant: 1000",
                dir.resolve(name + ".log"), List.of());
    }
}
