package io.zktenantproxy.flinkha.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.zktenantproxy.flinkha.harness.FlinkCluster;
import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkZnodes;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.Runs;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.Verdicts;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.RunLedger;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A rolling restart of the shared proxy's two replicas under a running Flink cluster (issue 16, docs/DEPLOY.md,
 * "Rolling upgrade of the shared proxy"): both replicas serve the tenant on fixed addresses and advertise both,
 * Flink's quorum lists both (as in {@link ProxyFailoverIT}). With the fraud job running and checkpointing, each
 * replica in turn is closed ({@link ProxyServer#close}, what SIGTERM runs), started again on the same port and
 * awaited ready before the next goes. The replica Flink is connected to goes first, so Flink's ZooKeeper client
 * moves twice: to the other replica, then to the restarted one (in the other order it would move only once).
 *
 * <p>Asserted: the session, the leader and its latch node stay the same throughout (with
 * {@code tolerate-suspended-connections: true}), Flink's client never sees its session LOST, the job never
 * restores, a checkpoint completes after each move, and the alerts equal the oracle's. Measured and printed, one
 * table line per move, never asserted (timings depend on the machine): how long Flink's Curator client was without a
 * connection (its own connection state events), when the proxy saw its connection and session again, the next
 * completed checkpoint, the close and the restart.
 */
class RollingRestartIT {
    private static final Logger LOG = LoggerFactory.getLogger(RollingRestartIT.class);
    private static final String TENANT = "acme";
    /** Polling of the proxy and of the upstream tree: short, because it bounds the resolution of the timings. */
    private static final Duration FAST_POLL = Duration.ofMillis(10);

    @TempDir
    Path work;

    @Test
    void flinkKeepsSessionAndLeaderThroughRollingRestart() throws Exception {
        // Both replicas advertise both addresses: Curator's ensemble tracker keeps Flink's connect string to them.
        List<InetSocketAddress> both = List.of(Proxies.freeAddress(), Proxies.freeAddress());
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             CuratorStates states = CuratorStates.capture()) {
            ProxyServer[] replicas = {replica(zk, both, 0), replica(zk, both, 1)};
            try {
                FlinkHa ha = FlinkHa.of(both, work);
                assertThat(ha.tolerateSuspended()).as("tolerate-suspended-connections").isTrue();
                FlinkZnodes znodes = ha.znodes(Proxies.chroot(replicas[0], TENANT));
                FraudJob.Spec standard = Runs.spec("rolling-restart");
                // Twice the standard input (about 20 s): two moves, two restarts and a checkpoint after each must
                // fit in the job's run on a loaded machine.
                FraudJob.Spec run = new FraudJob.Spec(standard.runId(), 2 * Runs.TRANSFERS, Runs.RATE,
                        standard.parallelism(), standard.checkpointInterval());

                try (FlinkCluster flink = FlinkCluster.start("jm", ha.toMap(), 1)) {
                    JobID job = flink.submit(FraudJob.graph(run));
                    Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                    long session = znodes.leaderSession(tree).orElseThrow();
                    Runs.patiently().until(() -> znodes.leadershipSettled(tree, session)
                            && znodes.jobLeaderSession(tree, job).isPresent());
                    List<String> latch = tree.children(znodes.latch());
                    // One MiniCluster, one Curator client, one session: on exactly one replica.
                    Runs.patiently().until(() -> Proxies.sessions(replicas[0], TENANT)
                            + Proxies.sessions(replicas[1], TENANT) == 1);
                    int first = Proxies.sessions(replicas[0], TENANT) == 1 ? 0 : 1;

                    List<Move> moves = new ArrayList<>();
                    try (TreeSampler sampler = TreeSampler.start(tree, znodes, job)) {
                        for (int index : new int[] {first, 1 - first}) {
                            moves.add(restart(replicas, index, zk, both, states, sampler, run));
                        }
                        LOG.info(table(moves));
                        assertThat(sampler.leaders()).as("leaders seen from before the first move to after the last "
                                + "(session, latch nodes)").hasSize(1);
                    }

                    flink.awaitFinished(job);
                    assertThat(states.changes()).as("Flink's Curator connection states")
                            .noneMatch(c -> c.state().equals("LOST"));
                    assertThat(moves).as("moves").allSatisfy(m -> {
                        assertThat(m.checkpointId()).as("a checkpoint after the move").isPositive();
                        assertThat(m.leaderChanges()).as("leader changes during the move").isZero();
                    });
                    assertThat(znodes.leaderSession(tree)).as("leader session").contains(session);
                    assertThat(znodes.jobLeaderSession(tree, job)).as("the JobMaster's session").contains(session);
                    assertThat(tree.children(znodes.latch())).as("latch nodes").isEqualTo(latch);
                    assertThat(RunLedger.of(run.runId()).restores()).as("job restores").isEmpty();
                    Verdicts.alertsMatchOracle(run);
                    Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
                    LOG.info("rolling restart: session 0x{} kept its leadership (latch {}), no restore",
                            Long.toHexString(session), latch);
                }
            } finally {
                for (ProxyServer replica : replicas) {
                    replica.close();
                }
            }
        }
    }

    /**
     * Replica {@code index} of two: listens on {@code both[index]}, advertises both (started again on the same port
     * after a close, as a replacement pod behind the same address).
     */
    private static ProxyServer replica(ZooKeeperEnsemble zk, List<InetSocketAddress> both, int index) {
        return Proxies.start(zk.connectString(), List.of(Proxies.tenant(TENANT, both.get(index).getPort(), both)));
    }

    /**
     * One step of the rolling restart: closes replica {@code index} (in the background, as SIGTERM would while the
     * client is already moving), follows Flink's client to the other replica and to the next checkpoint, then starts
     * the replacement on the same port and waits until it is ready. Times are from the start of the close.
     */
    private static Move restart(ProxyServer[] replicas, int index, ZooKeeperEnsemble zk,
                                List<InetSocketAddress> both, CuratorStates states, TreeSampler sampler,
                                FraudJob.Spec run) throws Exception {
        ProxyServer leaving = replicas[index];
        ProxyServer remaining = replicas[1 - index];
        int restoresBefore = RunLedger.of(run.runId()).restores().size();
        int leadersBefore = sampler.leaders().size();

        // The clock starts in the closing thread, right before the close: the SIGTERM moment, without the time the
        // pool takes to start the task.
        CompletableFuture<Long> closing = new CompletableFuture<>();
        CompletableFuture<Long> closed = CompletableFuture.supplyAsync(() -> {
            closing.complete(System.currentTimeMillis());
            leaving.close();
            return System.currentTimeMillis();
        });
        long closeAt = closing.get(2, TimeUnit.MINUTES);
        fast().until(() -> Proxies.connections(remaining, TENANT) == 1);
        long socketAt = System.currentTimeMillis();
        fast().until(() -> Proxies.sessions(remaining, TENANT) == 1);
        long sessionAt = System.currentTimeMillis();
        CuratorStates.Gap gap = states.awaitGap(closeAt);
        // The first checkpoint whose pointer was created after Flink noticed the loss went through the new
        // connection. The wait ends early if the job's pointers are gone (the job ended): the assertion says so.
        fast().until(() -> sampler.firstCheckpointFrom(gap.suspendedAt()).isPresent() || sampler.checkpointsGone());
        Optional<Map.Entry<Long, Long>> checkpoint = sampler.firstCheckpointFrom(gap.suspendedAt());
        assertThat(checkpoint).as("a checkpoint after closing replica %d (none: the job ended first)", index + 1)
                .isPresent();

        long closedAt = closed.get(2, TimeUnit.MINUTES);
        long startAt = System.currentTimeMillis();
        replicas[index] = replica(zk, both, index);
        Runs.patiently().pollInterval(FAST_POLL).until(replicas[index]::ready);
        long readyAt = System.currentTimeMillis();

        return new Move(index + 1, gap.suspendedAt() - closeAt, since(gap.firstOpenedAt(), closeAt), gap.tries(),
                gap.reconnectedAt() - closeAt, gap.reconnectedAt() - gap.suspendedAt(), socketAt - closeAt,
                sessionAt - closeAt,
                checkpoint.get().getKey(), checkpoint.get().getValue() - closeAt, closedAt - closeAt,
                readyAt - startAt, sampler.leaders().size() - leadersBefore,
                RunLedger.of(run.runId()).restores().size() - restoresBefore);
    }

    /** @return {@code at - from}, or -1 when {@code at} is -1 (not seen) */
    private static long since(long at, long from) {
        return at < 0 ? -1 : at - from;
    }

    private static ConditionFactory fast() {
        return Runs.patiently().pollInterval(FAST_POLL);
    }

    private static String table(List<Move> moves) {
        StringBuilder out = new StringBuilder("rolling restart, ms from the close of the replica (Curator: Flink's "
                + "client's connection state events; proxy: the replica it moved to)\n"
                + "move | closed | Curator SUSPENDED | client opens a socket (tries) | Curator RECONNECTED | "
                + "without connection | proxy socket | proxy session | next checkpoint (id) | close() returned | "
                + "restart to ready | leader changes | restores");
        for (int i = 0; i < moves.size(); i++) {
            Move m = moves.get(i);
            out.append(String.format("%n%d | replica %d | %d | %d (%d) | %d | %d | %d | %d | %d (%d) | %d | %d | %d"
                            + " | %d", i + 1, m.replica(), m.suspended(), m.opened(), m.tries(), m.reconnected(),
                    m.withoutConnection(), m.proxySocket(), m.proxySession(), m.checkpoint(), m.checkpointId(),
                    m.closeReturned(), m.restartToReady(), m.leaderChanges(), m.restores()));
        }
        return out.toString();
    }

    /**
     * What one move measured, in ms from the start of the close unless said otherwise.
     *
     * @param opened            when Flink's ZooKeeper client first opened a socket again, after its back-off
     * @param tries             sockets it opened until one led to RECONNECTED
     * @param withoutConnection Curator's SUSPENDED to RECONNECTED
     * @param restartToReady    from starting the replacement to {@link ProxyServer#ready}
     */
    private record Move(int replica, long suspended, long opened, int tries, long reconnected,
                        long withoutConnection, long proxySocket, long proxySession, long checkpointId,
                        long checkpoint, long closeReturned, long restartToReady, int leaderChanges, int restores) {
    }

    /**
     * Flink's Curator connection state events, read from the log line its (shaded) {@code ConnectionStateManager}
     * writes for each ({@code State change: SUSPENDED}) with the event's time, and the sockets its ZooKeeper client
     * opens ({@code ClientCnxn}'s {@code Opening socket connection}). The log is the only way to them from
     * outside: the listener interface is relocated under a package that differs between Flink lines, and the
     * MiniCluster does not expose its Curator client. UpstreamTree's Curator is the unshaded one, so only Flink's
     * client is heard. The logger is raised to INFO for the test (the lines also appear in the test's output).
     */
    private static final class CuratorStates extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private static final List<String> SHADED_PREFIXES = List.of("org.apache.flink.shaded.curator5.",
                "org.apache.flink.shaded.curator4.");
        private static final String MANAGER = "org.apache.curator.framework.state.ConnectionStateManager";
        /** Flink's ZooKeeper client (relocated the same way in every Flink line of the pom). */
        private static final String CLIENT_CNXN = "org.apache.flink.shaded.zookeeper3.org.apache.zookeeper.ClientCnxn";
        private static final String PREFIX = "State change: ";
        /** ClientCnxn's line when it connects again, after the random back-off (up to 1 s) of every reconnect. */
        private static final String OPENING = "Opening socket connection";

        private final List<Change> changes = new CopyOnWriteArrayList<>();
        private final List<Long> openings = new CopyOnWriteArrayList<>();
        private final List<ch.qos.logback.classic.Logger> loggers;
        private final List<Level> levelsBefore;

        private CuratorStates(List<ch.qos.logback.classic.Logger> loggers) {
            this.loggers = loggers;
            this.levelsBefore = loggers.stream().map(ch.qos.logback.classic.Logger::getLevel).toList();
        }

        static CuratorStates capture() {
            String manager = SHADED_PREFIXES.stream().map(p -> p + MANAGER).filter(CuratorStates::loadable)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no shaded " + MANAGER));
            CuratorStates states = new CuratorStates(Stream.of(manager, CLIENT_CNXN)
                    .map(name -> (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).toList());
            states.setContext(states.loggers.get(0).getLoggerContext());
            states.setName("flink-curator-states");
            states.start();
            for (ch.qos.logback.classic.Logger logger : states.loggers) {
                logger.addAppender(states);
                logger.setLevel(Level.INFO);
            }
            return states;
        }

        private static boolean loadable(String className) {
            try {
                Class.forName(className, false, RollingRestartIT.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException e) {
                return false;
            }
        }

        @Override
        protected void append(ILoggingEvent event) {
            String message = event.getFormattedMessage();
            if (message != null && message.startsWith(PREFIX)) {
                changes.add(new Change(event.getTimeStamp(), message.substring(PREFIX.length()).trim()));
            } else if (message != null && message.startsWith(OPENING)) {
                openings.add(event.getTimeStamp());
            }
        }

        List<Change> changes() {
            return List.copyOf(changes);
        }

        /**
         * Waits for the first SUSPENDED at or after {@code from} and the RECONNECTED that ends it; the last socket
         * opened in between is the one that succeeded (the earlier ones found a closed port).
         */
        Gap awaitGap(long from) {
            return Runs.patiently().pollInterval(FAST_POLL).until(() -> {
                Long suspended = null;
                for (Change c : changes) {
                    if (suspended == null && c.at() >= from && c.state().equals("SUSPENDED")) {
                        suspended = c.at();
                    } else if (suspended != null && c.state().equals("RECONNECTED")) {
                        long start = suspended;
                        long end = c.at();
                        List<Long> tries = openings.stream().filter(t -> t >= start && t <= end).toList();
                        return Optional.of(new Gap(start, tries.isEmpty() ? -1 : tries.get(0),
                                tries.isEmpty() ? -1 : tries.get(tries.size() - 1), tries.size(), end));
                    }
                }
                return Optional.<Gap>empty();
            }, Optional::isPresent).orElseThrow();
        }

        @Override
        public void close() {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).detachAppender(this);
                loggers.get(i).setLevel(levelsBefore.get(i));
            }
            stop();
        }

        /** One state change at {@code at} (epoch ms). */
        record Change(long at, String state) {
        }

        /**
         * Flink's client without a connection from {@code suspendedAt} to {@code reconnectedAt} (epoch ms); it opened
         * {@code tries} sockets meanwhile, the first at {@code firstOpenedAt}, the last at {@code lastOpenedAt} (-1:
         * none logged).
         */
        record Gap(long suspendedAt, long firstOpenedAt, long lastOpenedAt, int tries, long reconnectedAt) {
        }
    }

    /**
     * Samples the upstream tree every {@link #FAST_POLL} in the background: each checkpoint pointer of the job with
     * its creation time (Flink keeps only the newest, so a pointer lives about one checkpoint interval and a later
     * look would miss it), and each change of leader (the latch nodes and the lowest one's session). The ensemble
     * runs in this JVM, so creation times and the test's clock are the same clock.
     */
    private static final class TreeSampler implements AutoCloseable {
        private final UpstreamTree tree;
        private final FlinkZnodes znodes;
        private final JobID job;
        private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tree-sampler");
            t.setDaemon(true);
            return t;
        });
        /** Checkpoint id to its pointer's creation time (epoch ms). */
        private final Map<Long, Long> created = new ConcurrentSkipListMap<>();
        private final List<String> leaders = new CopyOnWriteArrayList<>();
        private final AtomicBoolean checkpointsGone = new AtomicBoolean();

        private TreeSampler(UpstreamTree tree, FlinkZnodes znodes, JobID job) {
            this.tree = tree;
            this.znodes = znodes;
            this.job = job;
        }

        static TreeSampler start(UpstreamTree tree, FlinkZnodes znodes, JobID job) throws Exception {
            TreeSampler sampler = new TreeSampler(tree, znodes, job);
            sampler.sample();
            sampler.executor.scheduleWithFixedDelay(sampler::sampleQuietly, FAST_POLL.toMillis(),
                    FAST_POLL.toMillis(), TimeUnit.MILLISECONDS);
            return sampler;
        }

        private void sampleQuietly() {
            try {
                sample();
            } catch (Exception e) {
                // a read that failed is a sample missed, not a finding; the next one comes 10 ms later
                LOG.debug("sample failed", e);
            }
        }

        private void sample() throws Exception {
            String parent = znodes.checkpoints(job);
            if (tree.stat(parent).isEmpty()) {
                checkpointsGone.set(true);
                return;
            }
            for (String child : tree.children(parent)) {
                long id = Long.parseLong(child);
                if (!created.containsKey(id)) {
                    tree.stat(parent + "/" + child).ifPresent(stat -> created.putIfAbsent(id, stat.getCtime()));
                }
            }
            String leader = "session " + znodes.leaderSession(tree).map(Long::toHexString).orElse("none")
                    + ", latch " + tree.children(znodes.latch());
            if (leaders.isEmpty() || !leaders.get(leaders.size() - 1).equals(leader)) {
                leaders.add(leader);
            }
        }

        /** @return the lowest checkpoint id whose pointer was created at or after {@code from}, with that time */
        Optional<Map.Entry<Long, Long>> firstCheckpointFrom(long from) {
            return created.entrySet().stream().filter(e -> e.getValue() >= from).findFirst()
                    .map(e -> Map.entry(e.getKey(), e.getValue()));
        }

        boolean checkpointsGone() {
            return checkpointsGone.get();
        }

        /** @return every distinct leader seen in a row, oldest first */
        List<String> leaders() {
            return List.copyOf(leaders);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }
}
