package io.zktenantproxy.flinkha.demo;

import io.zktenantproxy.flinkha.harness.FlinkCluster;
import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkZnodes;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.Runs;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.flinkha.job.Alert;
import io.zktenantproxy.flinkha.job.AlertOracle;
import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.RunLedger;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;

/**
 * The runnable demo: a 3-server ZooKeeper ensemble, one proxy with tenants {@code acme} and {@code globex}, one
 * Flink cluster per tenant running the fraud job (acme's with a hot standby JobManager), acme's leading JobManager
 * crashed mid-run. Prints the failover, the restored checkpoint, each tenant's tree upstream and the alerts, and
 * exits 0 only if both tenants' alerts equal the oracle's.
 *
 * <p>Run with {@code mvn -B -q -pl flink-ha-test -am test -DskipTests -Pdemo}; logs go to
 * {@code flink-ha-test/target/demo.log}.
 */
public final class FraudDemo {
    private static final PrintStream OUT = System.out;

    private FraudDemo() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("flink-ha-demo");
        boolean ok;
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.cluster(3, 1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(
                     Proxies.tenant("acme", 0, List.of()), Proxies.tenant("globex", 0, List.of())))) {
            OUT.printf("ZooKeeper ensemble (3 servers): %s%n", zk.connectString());
            OUT.printf("proxy: acme on %s, globex on %s%n", proxy.address("acme"), proxy.address("globex"));
            FlinkHa acmeHa = FlinkHa.of(List.of(proxy.address("acme")), work.resolve("acme"));
            FlinkHa globexHa = FlinkHa.of(List.of(proxy.address("globex")), work.resolve("globex"));
            OUT.println("acme's Flink HA settings (globex's differ only in quorum and directories):");
            acmeHa.toMap().forEach((k, v) -> OUT.printf("    %s: %s%n", k, v));
            ok = run(tree, acmeHa, acmeHa.znodes(Proxies.chroot(proxy, "acme")), globexHa,
                    globexHa.znodes(Proxies.chroot(proxy, "globex")));
        }
        OUT.println(ok ? "RESULT: both tenants' alerts equal the oracle's" : "RESULT: MISMATCH");
        // Flink leaves non-daemon threads behind; the verdict is printed, so end the JVM here.
        System.exit(ok ? 0 : 1);
    }

    private static boolean run(UpstreamTree tree, FlinkHa acmeHa, FlinkZnodes acme, FlinkHa globexHa,
                               FlinkZnodes globex) throws Exception {
        FraudJob.Spec acmeRun = Runs.spec("demo-acme");
        FraudJob.Spec globexRun = Runs.spec("demo-globex");
        try (FlinkCluster leader = FlinkCluster.startOneOfSeveral("acme-jm-1", acmeHa.toMap(), 1)) {
            long leaderSession = Runs.patiently().until(() -> acme.leaderSession(tree), s -> s.isPresent())
                    .orElseThrow();
            try (FlinkCluster standby = FlinkCluster.startOneOfSeveral("acme-jm-2", acmeHa.toMap(), 1);
                 FlinkCluster globexFlink = FlinkCluster.startOneOfSeveral("globex-jm", globexHa.toMap(), 1)) {
                Runs.patiently().until(() -> tree.children(acme.latch()).size() == 2);
                long standbySession = acme.contenderSessions(tree).stream()
                        .filter(s -> s != leaderSession).findFirst().orElseThrow();
                OUT.printf("acme: JobManager acme-jm-1 leads (session 0x%x), acme-jm-2 stands by (session 0x%x)%n",
                        leaderSession, standbySession);
                JobID acmeJob = leader.submit(FraudJob.graph(acmeRun));
                JobID globexJob = globexFlink.submit(FraudJob.graph(globexRun));
                OUT.printf("submitted the fraud job: %,d transfers at %.0f/s for each tenant%n", Runs.TRANSFERS,
                        Runs.RATE);

                Runs.awaitCheckpoint(tree, acme, acmeJob, Runs.CHECKPOINTS_BEFORE_FAILURE);
                long crashedAt = System.currentTimeMillis();
                OUT.printf("%nCRASH: acme-jm-1 goes down mid-run, leaving its HA data behind%n");
                CompletableFuture<Void> crash = leader.crashAsync();
                long newest = Runs.awaitLeaderThenNewestCheckpoint(tree, acme, acmeJob, standbySession);
                long electedAt = System.currentTimeMillis();
                Runs.patiently().until(() -> acme.jobLeaderSession(tree, acmeJob).orElse(0L) == standbySession);
                long jobLeaderAt = System.currentTimeMillis();
                crash.get(2, TimeUnit.MINUTES);
                OUT.printf("failover: acme-jm-2 won the election %d ms after the crash; its JobMaster leads the job "
                        + "after %d ms%n", electedAt - crashedAt, jobLeaderAt - crashedAt);
                OUT.printf("newest checkpoint pointer in ZooKeeper at failover: %d%n", newest);

                OUT.println("\nupstream tree, as the operator sees it (ZooKeeper client on the ensemble, authenticated "
                        + "as the platform;\nany other client of the ensemble gets NOAUTH on all of it):");
                TreePrinter printer = new TreePrinter(tree, OUT);
                printer.print("/tenants");
                OUT.printf("    (besides: /zookeeper, and the proxy's session markers under /zk-tenant-proxy: %d)%n",
                        tree.children("/zk-tenant-proxy/sessions").size());

                standby.awaitFinished(acmeJob);
                globexFlink.awaitFinished(globexJob);
                RunLedger.Restore restore = RunLedger.of(acmeRun.runId()).lastRestore().orElseThrow();
                OUT.printf("%nrecovery: acme-jm-2's tasks restored checkpoint %d, %d ms after the crash%n",
                        restore.checkpointId(), restore.atMillis() - crashedAt);
                boolean acmeOk = report("acme", acmeRun);
                boolean globexOk = report("globex", globexRun);
                return acmeOk && globexOk;
            }
        }
    }



    private static boolean report(String tenant, FraudJob.Spec run) {
        RunLedger ledger = RunLedger.of(run.runId());
        Map<Alert.Key, Alert> expected = AlertOracle.expected(run.transfers());
        boolean ok = ledger.alerts().equals(expected) && ledger.conflicts().isEmpty();
        OUT.printf("%n%s: %d alerts (%d writes, replays included), oracle %d: %s%n", tenant, ledger.alerts().size(),
                ledger.writes(), expected.size(), ok ? "equal" : "DIFFERENT");
        ledger.alerts().values().forEach(a -> OUT.println("    ALERT " + a));
        return ok;
    }
}
