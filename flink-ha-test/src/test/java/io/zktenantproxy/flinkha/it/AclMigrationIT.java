package io.zktenantproxy.flinkha.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.harness.DirectAccess;
import io.zktenantproxy.flinkha.harness.FlinkCluster;
import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkZnodes;
import io.zktenantproxy.flinkha.harness.MigrateAcls;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.Runs;
import io.zktenantproxy.flinkha.harness.UpstreamSecretFile;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.Verdicts;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.RunLedger;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tenant's Flink cluster ran through a proxy from before the upstream secret, so its HA tree upstream is
 * {@code world:anyone}; the platform then migrates as SECURITY.md says ("Migrating a tree created before the upstream
 * secret") while the job runs. A replica with the secret joins (Flink's quorum names both), the replica without it
 * stops, Flink's client resumes its session through the one with the secret, which authenticates it as the tenant's
 * identity; then {@code migrate-acls} rewrites the tree.
 *
 * <p>Afterwards a client straight on the ensemble is refused every znode of the tenant, the list of tenants and the
 * proxy's markers; and Flink does not notice: same leader session and latch node, no task restored from a checkpoint
 * since the migration began, and further checkpoints, whose znodes name the tenant's identity upstream.
 */
class AclMigrationIT {
    private static final Logger LOG = LoggerFactory.getLogger(AclMigrationIT.class);
    private static final String TENANT = "acme";
    /** What Flink asks for (its default ACL provider) and, without a secret, what the ensemble stores. */
    private static final ACL WORLD_ALL = new ACL(ZooDefs.Perms.ALL, ZooDefs.Ids.ANYONE_ID_UNSAFE);
    /** Checkpoints that must complete after the migration, through migrated parents. */
    private static final long CHECKPOINTS_AFTER_MIGRATION = 2;

    @TempDir
    Path work;

    @Test
    void migrationLocksRunningClustersTreeWithoutDisturbingIt() throws Exception {
        // Flink's quorum names both replicas from the start, as a platform rolling its replicas would have it: the
        // old one (no secret) at the first address, the new one (with the secret) at the second, not yet listening.
        List<InetSocketAddress> both = List.of(Proxies.freeAddress(), Proxies.freeAddress());
        ProxyServer secured = null;
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer unsecured = Proxies.startWithoutSecret(zk.connectString(),
                     List.of(Proxies.tenant(TENANT, both.get(0).getPort(), both)))) {
            FlinkHa ha = FlinkHa.of(both, work);
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(unsecured, TENANT));
            FraudJob.Spec run = Runs.spec("acl-migration");
            RunLedger ledger = RunLedger.of(run.runId());

            try (FlinkCluster flink = FlinkCluster.start("jm", ha.toMap(), 1)) {
                JobID job = flink.submit(FraudJob.graph(run));
                Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                long session = znodes.leaderSession(tree).orElseThrow();
                List<String> latch = tree.children(znodes.latch());
                long jobLeader = znodes.jobLeaderSession(tree, job).orElseThrow();
                int openBefore = assertTreeOpenToAnyone(tree, znodes, job);

                // SECURITY.md step 1: the replica with the secret joins, the one without it goes.
                secured = Proxies.start(zk.connectString(), List.of(Proxies.tenant(TENANT, both.get(1).getPort(),
                        both)));
                ProxyServer withSecret = secured;
                Runs.patiently().until(() -> Proxies.connections(unsecured, TENANT) == 1);
                long stoppedAt = System.currentTimeMillis();
                unsecured.close();
                Runs.patiently().until(() -> Proxies.connections(withSecret, TENANT) == 1);
                long movedAt = System.currentTimeMillis();

                // Steps 2 and 3 (the dry run only prints): migrate-acls, with the job running.
                int restoresBefore = ledger.restores().size();
                MigrateAcls.Run migration = MigrateAcls.tenant(zk.connectString(), TENANT);
                long migratedAt = System.currentTimeMillis();
                assertThat(migration.exit()).as("migrate-acls exit code; it printed:\n%s%s", migration.out(),
                        migration.err()).isZero();
                int changed = migration.changed("tenant " + TENANT);
                assertThat(changed).as("the tenant's znodes migrate-acls changed").isPositive();
                long newestAtMigration = Runs.newestCheckpoint(tree, znodes, job);

                long checkedIn = assertClosedToDirectClients(zk, tree, znodes, job, latch);

                Pointer after = awaitCheckpointWithAcl(tree, znodes, job,
                        newestAtMigration + CHECKPOINTS_AFTER_MIGRATION);
                assertThat(after.acl()).as("ACL of checkpoint %s's znode, created after the migration", after.id())
                        .containsExactlyInAnyOrderElementsOf(identityAcl());
                long checkpointedAt = System.currentTimeMillis();

                assertThat(znodes.leaderSession(tree)).as("leader session").contains(session);
                assertThat(tree.children(znodes.latch())).as("latch nodes").isEqualTo(latch);
                assertThat(znodes.jobLeaderSession(tree, job)).as("the job's leader session").contains(jobLeader);
                flink.awaitFinished(job);
                LOG.info("ACL migration: {} znodes of the tenant's tree world:anyone before; client resumed through "
                                + "the replica with the secret {} ms after the other stopped; migrate-acls took {} ms, "
                                + "changed {} of the tenant's znodes and {} of the platform's; direct clients refused "
                                + "everything (checked in {} ms); checkpoint {} (newest at the migration: {}) {} ms "
                                + "after it; task restores during the run: {}", openBefore, movedAt - stoppedAt,
                        migratedAt - movedAt, changed, migration.changed("platform"), checkedIn, after.id(),
                        newestAtMigration, checkpointedAt - migratedAt, ledger.restores());
                assertThat(ledger.restores()).as("task restores after migrate-acls began")
                        .hasSize(restoresBefore);
                assertThat(znodes.leaderSession(tree)).as("leader session once the job finished").contains(session);
                Verdicts.alertsMatchOracle(run);
                Verdicts.flinkTreesOnlyUnderChroots(tree.paths("/"), List.of(znodes));
            }
        } finally {
            if (secured != null) {
                secured.close(); // after the Flink cluster, whose shutdown deletes its HA tree through this replica
            }
        }
    }

    /**
     * Fails unless every znode of the tenant's tree (the chroot, Flink's HA tree) grants {@code world:anyone} ALL,
     * as Flink asked and a proxy without a secret passed on, and the job's checkpoint pointers are among them. The
     * tree is walked again until a walk reads a checkpoint pointer: Flink keeps one, and a newer checkpoint may
     * subsume it between listing the tree and reading its ACL.
     *
     * @return how many znodes the last walk read (those deleted meanwhile not counted)
     */
    private static int assertTreeOpenToAnyone(UpstreamTree tree, FlinkZnodes znodes, JobID job) {
        Walk walk = Runs.patiently().until(() -> walkTree(tree, znodes, job),
                w -> w.readCheckpoint() || !w.notOpen().isEmpty());
        assertThat(walk.notOpen()).as("znodes whose ACL lacks %s before the migration", WORLD_ALL).isEmpty();
        assertThat(walk.readCheckpoint()).as("a checkpoint pointer among the znodes read").isTrue();
        return walk.read();
    }

    /**
     * One walk of the tenant's tree.
     *
     * @param read           how many znodes' ACLs were read
     * @param readCheckpoint whether a checkpoint pointer's was
     * @param notOpen        the paths (with their ACL) that do not grant {@code world:anyone} ALL
     */
    private record Walk(int read, boolean readCheckpoint, List<String> notOpen) {
    }

    private static Walk walkTree(UpstreamTree tree, FlinkZnodes znodes, JobID job) throws Exception {
        int read = 0;
        boolean checkpoint = false;
        List<String> notOpen = new ArrayList<>();
        for (String path : tree.paths(znodes.chroot())) {
            Optional<List<ACL>> acl = tree.acl(path);
            if (acl.isPresent()) {
                read++;
                checkpoint |= path.startsWith(znodes.checkpoints(job) + "/");
                if (!acl.get().contains(WORLD_ALL)) {
                    notOpen.add(path + " " + acl.get());
                }
            }
        }
        return new Walk(read, checkpoint, notOpen);
    }

    /**
     * Has clients straight on the ensemble (one without credentials, one with a guessed password for the tenant's
     * user) try every znode under {@code /tenants} and {@code /zk-tenant-proxy}, the HA tree changing meanwhile, and
     * list {@code /tenants}: everything is {@code NOAUTH}. The znodes Flink keeps for the whole run (latch, leader
     * addresses, execution plan, checkpoint counter) must be among those refused, so the check is not vacuous.
     *
     * @return how long the check took, in milliseconds
     */
    private static long assertClosedToDirectClients(ZooKeeperEnsemble zk, UpstreamTree tree, FlinkZnodes znodes,
                                                    JobID job, List<String> latch) throws Exception {
        long startedAt = System.currentTimeMillis();
        List<String> paths = new ArrayList<>(tree.paths("/tenants"));
        paths.addAll(tree.paths("/zk-tenant-proxy"));
        String jobLeader = tree.children(znodes.base() + "/leader").stream()
                .filter(c -> c.contains(job.toString())).findFirst()
                .orElseThrow(() -> new AssertionError("no leader znode of job " + job + " in " + paths));
        List<String> mustBeRefused = new ArrayList<>(List.of("/tenants", znodes.chroot(), znodes.base(),
                znodes.base() + "/leader/dispatcher/connection_info",
                znodes.base() + "/leader/" + jobLeader + "/connection_info",
                znodes.executionPlans() + "/" + job,
                znodes.base() + "/jobs/" + job + "/checkpoint_id_counter",
                "/zk-tenant-proxy", "/zk-tenant-proxy/sessions"));
        latch.forEach(node -> mustBeRefused.add(znodes.latch() + "/" + node));

        List<String> refused;
        try (DirectAccess outsiders = DirectAccess.open(zk.connectString(), TENANT)) {
            outsiders.assertCannotList("/tenants");
            refused = outsiders.assertRefusedEverything(paths, tree);
        }
        assertThat(refused).as("znodes refused every call from outside").containsAll(mustBeRefused);
        long took = System.currentTimeMillis() - startedAt;
        LOG.info("direct clients on the ensemble after migrate-acls: NOAUTH on every call on {} of {} znodes under "
                + "/tenants and /zk-tenant-proxy ({} deleted meanwhile) and on listing /tenants, in {} ms",
                refused.size(), paths.size(), paths.size() - refused.size(), took);
        return took;
    }

    /** A checkpoint pointer and the ACL of its znode, read together. */
    private record Pointer(long id, List<ACL> acl) {
    }

    /**
     * Waits for checkpoint {@code count} (or a later one) and reads its znode's ACL in the same poll, before the next
     * checkpoint subsumes it or the finished job's cleanup deletes it.
     */
    private static Pointer awaitCheckpointWithAcl(UpstreamTree tree, FlinkZnodes znodes, JobID job, long count) {
        return Runs.patiently().until(() -> {
            String newest = tree.children(znodes.checkpoints(job)).stream()
                    .max(Comparator.comparingLong(Long::parseLong)).orElseThrow();
            return new Pointer(Long.parseLong(newest),
                    tree.acl(znodes.checkpoints(job) + "/" + newest).orElseThrow());
        }, pointer -> pointer.id() >= count);
    }

    /**
     * @return the ACL a proxy with the JVM's secret gives a znode Flink creates with {@code world:anyone} ALL: the
     *     tenant's identity and the platform's, each ALL
     */
    private static List<ACL> identityAcl() {
        return Stream.concat(UpstreamSecretFile.tenant(TENANT).stream(), UpstreamSecretFile.platform().stream())
                .map(DigestCredential::id).map(id -> new ACL(ZooDefs.Perms.ALL, new Id("digest", id))).toList();
    }
}
