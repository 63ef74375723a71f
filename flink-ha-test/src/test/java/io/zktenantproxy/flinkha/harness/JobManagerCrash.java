package io.zktenantproxy.flinkha.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.LedgerJournal;
import io.zktenantproxy.flinkha.job.RunLedger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.JobID;

/**
 * A leading JobManager process crashes and its hot standby, in another process, takes over: two nodes, node 1 runs
 * JobManager 1 (the leader), node 2 runs JobManager 2 (the standby) and the TaskManager; with the proxy each node has
 * its own sidecar replica ({@link FlinkRoute}). The crash is one of {@link Crash}. The standby must lead within
 * the bound for the kind, restore the newest checkpoint whose pointer was in ZooKeeper when it took over, and the
 * job must finish with the oracle's alerts ({@link Verdicts}). The times go to {@link CrashTimes}.
 *
 * <p>Through the proxy, the proxy's Flink HA view ({@link FlinkHaViewProbe}) is checked too: the leader at the REST
 * port of the JobManager that leads, before and after; the newest checkpoint id moving; after a hard crash, the
 * checkpoint age climbing while the dead leader's session lingers ({@link #STALLED_AGE}) and falling back once the
 * standby checkpoints ({@link #RESUMED_AGE}).
 */
public final class JobManagerCrash {
    /** tickTime of the test ensemble: sessions expire at this granularity. */
    public static final int TICK_MS = 1_000;
    /**
     * What a takeover may take beyond the crash's own delay (the session timeout for a hard crash, nothing for a
     * graceful stop): the standby's election, its dispatcher and JobMaster starting, on a loaded 2-core machine.
     */
    public static final Duration TAKEOVER_BOUND = Duration.ofSeconds(20);
    /**
     * The checkpoint age the proxy's view must reach after a hard crash: the killed leader's session, and so its
     * leadership, lasts the session timeout (10 s), in which nobody checkpoints; 4 s leaves margin both ways.
     */
    static final Duration STALLED_AGE = Duration.ofSeconds(4);
    /** The checkpoint age the view must fall back to once the new leader checkpoints (every 200 ms). */
    static final Duration RESUMED_AGE = Duration.ofSeconds(1);

    /** How JobManager 1 goes. */
    public enum Crash {
        /** SIGTERM: Flink's graceful shutdown, HA data kept, ZooKeeper session closed. */
        TERM("sigterm-jobmanager"),
        /** SIGKILL of the JobManager's JVM: its session lives on until the ensemble expires it. */
        KILL("kill-9-jobmanager"),
        /** SIGKILL of the JobManager and of its node's proxy replica, together (a whole node lost). */
        NODE_LOSS("kill-9-node");

        private final String label;

        Crash(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private JobManagerCrash() {
    }

    /**
     * Runs the scenario; every process it starts is killed when it returns or throws.
     *
     * @param kind  how the leader goes; {@link Crash#NODE_LOSS} needs the proxy route
     * @param route through proxy replicas or directly
     * @param dir   where configuration, HA storage, checkpoints and logs go (under {@code target/})
     */
    public static void run(Crash kind, FlinkRoute.Kind route, Path dir) throws Exception {
        if (kind == Crash.NODE_LOSS && route == FlinkRoute.Kind.DIRECT) {
            throw new IllegalArgumentException("without a proxy, a node loss is a JobManager kill");
        }
        FraudJob.Spec run = Runs.spec(kind.label() + "-" + route);
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(TICK_MS);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             FlinkRoute nodes = new FlinkRoute(route, zk.connectString(), "acme", dir.resolve("logs"));
             FlinkProcesses flink = new FlinkProcesses(dir);
             FlinkHaViewProbe view = FlinkHaViewProbe.of(zk.connectString())) {
            try {
                // the proxy's view is of a tenant's chroot: direct, Flink has none
                crashAndRecover(kind, nodes, flink, tree, run, dir, route == FlinkRoute.Kind.PROXY ? view : null);
            } catch (Throwable t) {
                System.out.println(flink.tails() + nodes.tails());
                throw t;
            }
        }
    }

    private static void crashAndRecover(Crash kind, FlinkRoute nodes, FlinkProcesses flink, UpstreamTree tree,
                                        FraudJob.Spec run, Path dir, FlinkHaViewProbe view) throws Exception {
        FlinkHa node1 = FlinkHa.of(nodes.newNode(), dir);
        FlinkHa node2 = FlinkHa.of(nodes.newNode(), dir);
        FlinkZnodes znodes = node1.znodes(nodes.chroot());

        FlinkProcesses.JobManager leader = flink.startJobManager("jm-1", node1);
        long leaderSession = Runs.patiently().until(() -> znodes.leaderSession(tree), s -> s.isPresent())
                .orElseThrow();
        Runs.patiently().until(() -> znodes.leadershipSettled(tree, leaderSession));
        FlinkProcesses.JobManager standby = flink.startJobManager("jm-2", node2);
        flink.startTaskManager("tm-1", node2);
        Runs.patiently().until(() -> znodes.contenderSessions(tree).size() == 2);
        long standbySession = znodes.contenderSessions(tree).stream().filter(s -> s != leaderSession)
                .findFirst().orElseThrow();

        JobID job;
        try (FlinkRest rest = new FlinkRest(leader)) {
            job = rest.submit(FraudJob.graph(run));
        }
        Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
        if (view != null) {
            // jm-1 leads, at the REST port it was started with; its checkpoints advance
            ViewVerdicts.restLeaderIs(view, nodes.chroot(), leaderSession, leader.restPort());
            ViewVerdicts.checkpointMoves(view, nodes.chroot(), tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE,
                    leaderSession);
        }

        long crashedAt = System.currentTimeMillis();
        CompletableFuture<Void> crash = switch (kind) {
            // the graceful stop takes seconds: the standby may lead before the old JVM has exited
            case TERM -> CompletableFuture.runAsync(leader.jvm()::terminate);
            case KILL -> {
                leader.jvm().kill();
                yield CompletableFuture.completedFuture(null);
            }
            case NODE_LOSS -> {
                leader.jvm().kill();
                nodes.replica(0).kill();
                yield CompletableFuture.completedFuture(null);
            }
        };
        ViewVerdicts.Age stalled = null;
        if (view != null && kind != Crash.TERM) {
            // the killed leader's session outlives it: the view still shows it leading while the age climbs
            stalled = ViewVerdicts.checkpointAgeReaches(view, nodes.chroot(), job, STALLED_AGE);
            assertThat(stalled.holder()).as("latch holder while checkpoints are stalled")
                    .isEqualTo(FlinkHaViewProbe.session(leaderSession));
        }
        long newest = Runs.awaitLeaderThenNewestCheckpoint(tree, znodes, job, standbySession);
        long electedAt = System.currentTimeMillis();
        Runs.patiently().until(() -> znodes.jobLeaderSession(tree, job).orElse(0L) == standbySession);
        long jobLeaderAt = System.currentTimeMillis();
        RunLedger.Restore restore = Runs.patiently().until(() -> firstRestoreSince(flink, run, crashedAt),
                r -> r != null);
        crash.get();
        String viewNote = "";
        if (view != null) {
            ViewVerdicts.restLeaderIs(view, nodes.chroot(), standbySession, standby.restPort());
            if (stalled != null) {
                assertThat(stalled.id()).as("newest checkpoint in the view while stalled").isEqualTo(newest);
                ViewVerdicts.Age resumed = ViewVerdicts.checkpointAgeFallsBelow(view, nodes.chroot(), job, stalled,
                        RESUMED_AGE);
                viewNote = "; view: checkpoint " + stalled.id() + " aged " + stalled.seconds() + " s while stalled, "
                        + "checkpoint " + resumed.id() + " " + resumed.seconds() + " s old after resuming";
            }
        }

        try (FlinkRest rest = new FlinkRest(standby)) {
            rest.awaitFinished(job);
        }
        Duration session = node1.sessionTimeout();
        CrashTimes.record(kind.label(), nodes.label(), electedAt - crashedAt, jobLeaderAt - crashedAt,
                restore.atMillis() - crashedAt, "session timeout " + session.toMillis() + " ms, newest pointer "
                        + newest + ", restored " + restore.checkpointId() + viewNote);

        long bound = TAKEOVER_BOUND.toMillis() + (kind == Crash.TERM ? 0 : session.toMillis());
        assertThat(electedAt - crashedAt).as("crash to standby elected, ms").isLessThanOrEqualTo(bound);
        if (kind != Crash.TERM) {
            // A killed JobManager cannot close its session: the standby waits for the ensemble to expire it (at
            // tick granularity). Sooner would mean the crash was not a hard one.
            assertThat(electedAt - crashedAt).as("crash to standby elected, ms")
                    .isGreaterThanOrEqualTo(session.toMillis() - 2L * TICK_MS);
        }
        // Nothing but the new leader writes pointers after the takeover, and it restores before checkpointing.
        assertThat(restore.checkpointId()).as("checkpoint restored by the new leader").isEqualTo(newest)
                .isGreaterThanOrEqualTo(Runs.CHECKPOINTS_BEFORE_FAILURE);
        Verdicts.alertsMatchOracle(run, LedgerJournal.replay(flink.ledgerDir(), run.runId()));
        if (nodes.kind() == FlinkRoute.Kind.PROXY) {
            Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
        }
    }

    /** @return the first task restore journaled at or after {@code sinceMillis}, or null */
    static RunLedger.Restore firstRestoreSince(FlinkProcesses flink, FraudJob.Spec run, long sinceMillis) {
        return LedgerJournal.replay(flink.ledgerDir(), run.runId()).restores().stream()
                .filter(r -> r.atMillis() >= sinceMillis).findFirst().orElse(null);
    }
}
