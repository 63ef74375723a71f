package io.zktenantproxy.flinkha.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.LedgerJournal;
import io.zktenantproxy.flinkha.job.RunLedger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.zookeeper.data.Stat;

/**
 * A whole Flink cluster destroyed and deployed again, as a Flink-as-a-service platform does after losing it: tenant
 * acme's JobManager and TaskManager processes are all SIGKILLed mid-run; once the ensemble has expired their
 * sessions, a new JobManager and TaskManager start with the same {@code cluster-id} and storage, through a
 * <em>different</em> proxy replica. The new dispatcher must find the job in ZooKeeper ({@code execution-plans}) and
 * the JobMaster restore the newest checkpoint pointer, the one the killed cluster left; the job then finishes with
 * the oracle's alerts.
 *
 * <p>Through the proxy, tenant globex runs a job with the same {@code path.root} and {@code cluster-id} the whole
 * time (a MiniCluster in the test's JVM, through a replica of its own): checked at the kill, after acme's sessions
 * expired and after acme's restore, its leader latch, leader session and execution plan znode are unchanged
 * (same nodes, same versions), its checkpoints keep advancing, and its job never restores and finishes with its own
 * oracle's alerts. Direct, there is no chroot, so no second tenant can share the cluster id: acme only.
 *
 * <p>Through the proxy, the proxy's Flink HA view ({@link FlinkHaViewProbe}, one scanner for the whole scenario,
 * orphan threshold {@link #ORPHAN_AFTER}) must call acme's lost cluster orphaned once its sessions have expired and
 * the threshold has passed, showing the job and checkpoint a redeploy needs, globex's cluster never, and acme's no
 * longer once it is redeployed.
 */
public final class ClusterRedeploy {
    /**
     * Globex's run: about 80 s of input, more than twice acme's deployment, kill, session expiry and redeploy (about
     * 35 s here), so that a slower CI machine still finds globex's job running when the redeploy is checked.
     */
    private static final long GLOBEX_TRANSFERS = 24_000;
    /**
     * The orphan threshold of the proxy's view here: short, so that the lost cluster is called orphaned while the
     * scenario waits to redeploy (a platform would use an hour or so).
     */
    static final Duration ORPHAN_AFTER = Duration.ofSeconds(3);

    private ClusterRedeploy() {
    }

    /** What is checkable of globex's HA state from outside, at one moment. */
    private record Untouched(List<String> latch, Optional<Long> leader, long planCzxid, long planMzxid,
                             long checkpoint) {
        static Untouched of(UpstreamTree tree, FlinkZnodes z, JobID job) throws Exception {
            Stat plan = tree.stat(z.executionPlans() + "/" + job).orElseThrow(
                    () -> new AssertionError("globex's execution plan is gone"));
            return new Untouched(tree.children(z.latch()), z.leaderSession(tree), plan.getCzxid(),
                    plan.getMzxid(), Runs.newestCheckpoint(tree, z, job));
        }

        void assertSameAs(Untouched before, String when) {
            assertThat(latch).as("globex's latch nodes " + when).isEqualTo(before.latch);
            assertThat(leader).as("globex's leader session " + when).isEqualTo(before.leader);
            assertThat(List.of(planCzxid, planMzxid)).as("globex's execution plan znode (czxid, mzxid) " + when)
                    .isEqualTo(List.of(before.planCzxid, before.planMzxid));
            assertThat(checkpoint).as("globex's newest checkpoint " + when).isGreaterThan(before.checkpoint);
        }
    }

    /**
     * Runs the scenario; every process it starts is killed when it returns or throws.
     *
     * @param route through proxy replicas (with globex alongside) or directly (acme alone)
     * @param dir   where configuration, HA storage, checkpoints and logs go (under {@code target/})
     */
    public static void run(FlinkRoute.Kind route, Path dir) throws Exception {
        FraudJob.Spec acmeRun = Runs.spec("redeploy-" + route);
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(JobManagerCrash.TICK_MS);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             FlinkRoute acme = new FlinkRoute(route, zk.connectString(), "acme", dir.resolve("logs"));
             FlinkRoute globex = new FlinkRoute(route, zk.connectString(), "globex", dir.resolve("logs"));
             FlinkProcesses flink = new FlinkProcesses(dir);
             FlinkHaViewProbe view = new FlinkHaViewProbe(zk.connectString(), ORPHAN_AFTER)) {
            try {
                boolean proxied = route == FlinkRoute.Kind.PROXY;
                // the proxy's view is of a tenant's chroot: direct, Flink has none
                redeploy(acme, proxied ? globex : null, flink, tree, acmeRun, dir, proxied ? view : null);
            } catch (Throwable t) {
                System.out.println(flink.tails() + acme.tails() + globex.tails());
                throw t;
            }
        }
    }

    private static void redeploy(FlinkRoute acme, FlinkRoute globex, FlinkProcesses flink, UpstreamTree tree,
                                 FraudJob.Spec run, Path dir, FlinkHaViewProbe view) throws Exception {
        // Globex first: its job must be running before acme's starts and still running after acme's restore.
        GlobexJob other = globex == null ? null : GlobexJob.start(globex, tree, dir.resolve("globex"));
        try {
            deployKillRedeploy(acme, other, flink, tree, run, dir, view);
            if (other != null) {
                other.finishAndCheck();
            }
        } finally {
            if (other != null) {
                other.close();
            }
        }
    }

    private static void deployKillRedeploy(FlinkRoute acme, GlobexJob other, FlinkProcesses flink,
                                           UpstreamTree tree, FraudJob.Spec run, Path dir, FlinkHaViewProbe view)
            throws Exception {
        // One storage and checkpoint directory for both deployments: the platform keeps them across a redeploy.
        FlinkHa firstHa = FlinkHa.of(acme.newNode(), dir);
        FlinkZnodes znodes = firstHa.znodes(acme.chroot());
        FlinkProcesses.JobManager jm = flink.startJobManager("jm-1", firstHa);
        flink.startTaskManager("tm-1", firstHa);
        long session = Runs.patiently().until(() -> znodes.leaderSession(tree), s -> s.isPresent()).orElseThrow();
        Runs.patiently().until(() -> znodes.leadershipSettled(tree, session));
        JobID job;
        try (FlinkRest rest = new FlinkRest(jm)) {
            job = rest.submit(FraudJob.graph(run));
        }
        Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
        if (view != null) {
            // the view's scanner sees the cluster alive, so it will count the threshold from when it saw it die
            var alive = view.cluster(acme.chroot());
            assertThat(alive.leaderPresent()).as("leader in the view before the loss").isTrue();
            assertThat(alive.dormant()).as("dormant before the loss").isFalse();
        }
        Untouched atKill = other == null ? null : Untouched.of(tree, other.znodes, other.job);
        long killedAt = System.currentTimeMillis();
        flink.killAll();
        long newestAtKill = Runs.newestCheckpoint(tree, znodes, job);
        // The platform redeploys later: once the ensemble has expired every session of the lost cluster.
        Runs.patiently().until(() -> tree.children(znodes.latch()).isEmpty());
        long expiredAt = System.currentTimeMillis();
        assertThat(tree.children(znodes.executionPlans())).as("execution plans after the loss")
                .containsExactly(job.toString());
        assertThat(Runs.newestCheckpoint(tree, znodes, job)).as("newest checkpoint pointer after the loss")
                .isEqualTo(newestAtKill);
        long orphanedAt = view == null ? expiredAt : orphanInView(view, acme, other, job, newestAtKill);
        Untouched afterExpiry = other == null ? null : Untouched.of(tree, other.znodes, other.job);
        if (other != null) {
            afterExpiry.assertSameAs(atKill, "after acme's sessions expired");
        }

        // Through another replica than the lost cluster used (a proxy route starts a new one).
        long redeployedAt = System.currentTimeMillis();
        FlinkHa secondHa = FlinkHa.of(acme.newNode(), dir);
        FlinkProcesses.JobManager newJm = flink.startJobManager("jm-2", secondHa);
        flink.startTaskManager("tm-2", secondHa);
        long newSession = Runs.patiently().until(() -> znodes.leaderSession(tree), s -> s.isPresent())
                .orElseThrow();
        long electedAt = System.currentTimeMillis();
        Runs.patiently().until(() -> znodes.jobLeaderSession(tree, job).orElse(0L) == newSession);
        long jobLeaderAt = System.currentTimeMillis();
        RunLedger.Restore restore = Runs.patiently().until(
                () -> JobManagerCrash.firstRestoreSince(flink, run, redeployedAt), r -> r != null);
        if (other != null) {
            Untouched.of(tree, other.znodes, other.job).assertSameAs(afterExpiry, "after acme's redeploy");
        }
        long backAt = redeployedAt;
        if (view != null) {
            var back = Runs.patiently().until(() -> view.cluster(acme.chroot()), c -> c.leaderPresent()
                    && FlinkHaViewProbe.session(newSession).equals(ViewVerdicts.holderSession(c)));
            backAt = System.currentTimeMillis();
            assertThat(back.dormant()).as("redeployed cluster dormant").isFalse();
            assertThat(view.scan(acme.chroot()).clusters()).as("acme's orphans after the redeploy")
                    .noneMatch(c -> c.orphaned());
        }
        try (FlinkRest rest = new FlinkRest(newJm)) {
            rest.awaitFinished(job);
        }
        CrashTimes.record("redeploy-cluster", acme.label(), electedAt - redeployedAt,
                jobLeaderAt - redeployedAt, restore.atMillis() - redeployedAt, "times from the redeploy; kill "
                        + "to sessions expired " + (expiredAt - killedAt) + " ms, kill to tasks restored "
                        + (restore.atMillis() - killedAt) + " ms; restored " + restore.checkpointId()
                        + (view == null ? "" : "; view: orphaned " + (orphanedAt - expiredAt) + " ms after the "
                        + "sessions expired (threshold " + ORPHAN_AFTER.toMillis() + " ms), not orphaned "
                        + (backAt - redeployedAt) + " ms after the redeploy"));

        assertThat(restore.checkpointId()).as("checkpoint the redeployed cluster restored")
                .isEqualTo(newestAtKill).isGreaterThanOrEqualTo(Runs.CHECKPOINTS_BEFORE_FAILURE);
        // both deployments' TaskManagers journal into one directory: the alerts of the whole run
        Verdicts.alertsMatchOracle(run, LedgerJournal.replay(flink.ledgerDir(), run.runId()));
        if (other != null) {
            Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes, other.znodes));
        }
    }

    /**
     * Waits until the proxy's view calls acme's lost cluster orphaned ({@link ViewVerdicts#orphanedAfter}) and checks
     * that it shows the HA data a redeploy needs (the job's plan and newest checkpoint pointer) and that globex's
     * cluster, same cluster id in another chroot, is live and not orphaned.
     *
     * @return when the view first called the cluster orphaned
     */
    private static long orphanInView(FlinkHaViewProbe view, FlinkRoute acme, GlobexJob other, JobID job,
                                     long newestAtKill) throws Exception {
        var orphan = ViewVerdicts.orphanedAfter(view, acme.chroot(), ORPHAN_AFTER);
        long orphanedAt = System.currentTimeMillis();
        var kept = FlinkHaViewProbe.job(orphan, job).orElseThrow(
                () -> new AssertionError("the orphan shows no job " + job + ": " + orphan));
        assertThat(kept.plan()).as("the orphan's execution plan").isNotNull();
        assertThat(kept.newestCheckpoint().id()).as("the orphan's newest checkpoint").isEqualTo(newestAtKill);
        if (other != null) {
            var globex = view.cluster(other.znodes.chroot());
            assertThat(globex.leaderPresent()).as("globex's leader in the view").isTrue();
            assertThat(globex.dormant()).as("globex's cluster dormant").isFalse();
        }
        return orphanedAt;
    }

    /** Globex's job, run by a MiniCluster in the test's JVM through a proxy replica of globex's own. */
    private static final class GlobexJob implements AutoCloseable {
        private final FlinkCluster cluster;
        private final FraudJob.Spec run;
        private final FlinkZnodes znodes;
        private final JobID job;

        private GlobexJob(FlinkCluster cluster, FraudJob.Spec run, FlinkZnodes znodes, JobID job) {
            this.cluster = cluster;
            this.run = run;
            this.znodes = znodes;
            this.job = job;
        }

        static GlobexJob start(FlinkRoute globex, UpstreamTree tree, Path dir) throws Exception {
            FlinkHa ha = FlinkHa.of(globex.newNode(), dir);
            FraudJob.Spec spec = new FraudJob.Spec("globex-" + java.util.UUID.randomUUID(), GLOBEX_TRANSFERS,
                    Runs.RATE, 2, Duration.ofMillis(200));
            FlinkCluster cluster = FlinkCluster.start("globex", ha.toMap(), 1);
            try {
                FlinkZnodes z = ha.znodes(globex.chroot());
                JobID job = cluster.submit(FraudJob.graph(spec));
                Runs.awaitCheckpoint(tree, z, job, 2);
                return new GlobexJob(cluster, spec, z, job);
            } catch (Exception | AssertionError e) {
                cluster.close();
                throw e;
            }
        }

        void finishAndCheck() throws Exception {
            cluster.awaitFinished(job);
            assertThat(RunLedger.of(run.runId()).restores()).as("globex's restores").isEmpty();
            Verdicts.alertsMatchOracle(run);
        }

        @Override
        public void close() throws Exception {
            cluster.close();
        }
    }
}
