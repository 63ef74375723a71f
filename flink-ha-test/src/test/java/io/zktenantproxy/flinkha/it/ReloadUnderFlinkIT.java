package io.zktenantproxy.flinkha.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.harness.FlinkCluster;
import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkZnodes;
import io.zktenantproxy.flinkha.harness.PlainClients;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.Runs;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.Verdicts;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.RunLedger;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.ReloadStatus;
import io.zktenantproxy.proxy.server.Tenant;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads on a running proxy shared by a Flink cluster and other tenants ({@link ProxyServer#reload}, issue 16):
 * while the fraud job runs on tenant {@code flink}, tenants are added (one used by a plain client), another tenant's
 * budget and quota change, a tenant is removed (its client closed after the drain), another tenant's chroot changes,
 * and an invalid configuration is refused. The Flink tenant's configuration is the same in every reload, so it must
 * not notice: its one connection stays open, its JobManager keeps the leadership (same latch node, same published
 * leader addresses, same ZooKeeper znodes), the job never restores, checkpoints keep completing, and the alerts
 * match the oracle.
 */
class ReloadUnderFlinkIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadUnderFlinkIT.class);
    /** Short, so that the removed tenant's client is closed well within the job's run. */
    private static final int DRAIN_MS = 1_000;
    /** The other tenants' listeners: loopback, port picked by the proxy; the same text in every reload. */
    private static final String ANY_PORT = "127.0.0.1:0";

    @TempDir
    Path work;

    @Test
    void flinkTenantDoesNotNoticeReloadsOfOthers() throws Exception {
        InetSocketAddress flinkAddress = Proxies.freeAddress();
        // Advertising its own address, as docs/FLINK.md recommends: Curator's ensemble tracker keeps Flink on it.
        TenantConfig flinkTenant = Proxies.fixedTenant("flink", flinkAddress);
        TenantConfig other = TenantConfig.named("other").withListen(ANY_PORT);
        TenantConfig new1 = TenantConfig.named("new1").withListen(ANY_PORT);
        TenantConfig new2 = TenantConfig.named("new2").withListen(ANY_PORT);
        TenantConfig otherChanged = other.withRequestsPerSecond(2_000).withQuotas(5_000L, null, null);
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString())) {
            ProxyConfig base = Proxies.config(zk.connectString(), List.of(flinkTenant, other))
                    .withLimits(Limits.defaults().with(Limits.Limit.DRAIN_MS, DRAIN_MS));
            try (ProxyServer proxy = ProxyServer.start(base)) {
                FlinkHa ha = FlinkHa.of(List.of(flinkAddress), work);
                FlinkZnodes znodes = ha.znodes(Proxies.chroot(proxy, "flink"));
                FraudJob.Spec standard = Runs.spec("reload-under-flink");
                // Twice the standard input (about 20 s at the standard rate): the reloads, the drain and a checkpoint
                // after them must all fit in the job's run, with room for a loaded machine.
                FraudJob.Spec run = new FraudJob.Spec(standard.runId(), 2 * Runs.TRANSFERS, Runs.RATE,
                        standard.parallelism(), standard.checkpointInterval());

                try (FlinkCluster flink = FlinkCluster.start("jm", ha.toMap(), 1);
                     PlainClient otherClient = PlainClient.connect(proxy.address("other"))) {
                    JobID job = flink.submit(FraudJob.graph(run));
                    long firstCheckpoint = Runs.awaitCheckpoint(tree, znodes, job, 1);
                    long session = znodes.leaderSession(tree).orElseThrow();
                    // A checkpoint means the JobMaster leads; wait for every leader address, so the snapshot of
                    // the leadership below is complete.
                    Runs.patiently().until(() -> znodes.leadershipSettled(tree, session)
                            && znodes.jobLeaderSession(tree, job).isPresent());
                    Map<String, String> leadership = leadership(tree, znodes);
                    assertThat(leadership).as("leader znodes").containsKeys("dispatcher", "resource_manager",
                            "rest_server");
                    assertThat(leadership.keySet()).as("leader znodes").anyMatch(k -> k.contains(job.toString()));
                    Runs.patiently().until(() -> Proxies.connections(proxy, "flink") == 1);
                    double flinkClosedBefore = total(Proxies.connectionsClosed(proxy, "flink"));
                    otherClient.zk().create("/mine", bytes("o"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    long checkpointBefore = Runs.newestCheckpoint(tree, znodes, job);
                    long reloadsFrom = System.currentTimeMillis();

                    // 1. Two tenants added, each with its own listener; one used at once by a plain client.
                    expect(proxy.reload(base.withTenants(flinkTenant, other, new1, new2)), "applied", 2);
                    PlainClient new1Client = PlainClient.connect(proxy.address("new1"));
                    try {
                        new1Client.zk().create("/hello", bytes("n"), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                                CreateMode.PERSISTENT);
                        assertThat(tree.stat("/tenants/new1/hello")).as("new1's znode, under its chroot").isPresent();
                        assertThat(proxy.listenerAddress("new2")).as("new2's listener").isPresent();

                        // 2. other's budget and quota, changed in place: its connection stays.
                        expect(proxy.reload(base.withTenants(flinkTenant, otherChanged, new1, new2)), "applied", 3);
                        Tenant otherNow = find(proxy, "other");
                        assertThat(otherNow.requestsPerSecond()).isEqualTo(2_000);
                        assertThat(otherNow.quotaLimits().znodes()).isEqualTo(5_000L);
                        // the ensemble enforces the new count too (the chroot node itself is one more)
                        Runs.patiently().until(() -> new String(tree.data("/zookeeper/quota/tenants/other/"
                                + "zookeeper_limits").orElseThrow(), StandardCharsets.UTF_8)
                                .contains("countHardLimit=5001"));

                        // 3. Invalid: a tenant inside flink's chroot would share its tree. Refused whole.
                        TenantConfig intruder = TenantConfig.named("intruder").withChroot(znodes.chroot() + "/x")
                                .withListen(ANY_PORT);
                        ReloadStatus refused = proxy.reload(base.withTenants(flinkTenant, otherChanged, new1, new2,
                                intruder));
                        expect(refused, "refused", 3);
                        assertThat(refused.errors()).anySatisfy(e -> assertThat(e).contains("chroots overlap"));
                        assertThat(proxy.listenerAddress("intruder")).isEmpty();

                        // 4. new1 removed: its listener closes at once, its client after the drain.
                        expect(proxy.reload(base.withTenants(flinkTenant, otherChanged, new2)), "applied", 4);
                        long removedAt = System.currentTimeMillis();
                        assertThat(proxy.listenerAddress("new1")).isEmpty();
                        new1Client.awaitState(KeeperState.Disconnected);
                        LOG.info("reload: new1's client disconnected {} ms after its removal (drain {} ms)",
                                System.currentTimeMillis() - removedAt, DRAIN_MS);
                        Runs.patiently().untilAsserted(() -> assertThat(Proxies.connectionsClosed(proxy, "new1"))
                                .containsEntry("tenant_removed", 1.0));
                        assertThat(tree.stat("/tenants/new1/hello")).as("a removed tenant's data stays").isPresent();
                    } finally {
                        new1Client.close();
                    }
                    assertThat(otherClient.states()).as("other's client through reloads 1-4")
                            .doesNotContain(KeeperState.Disconnected);

                    // 5. other's chroot changed: a new tenant, so its connections are closed (not flink's).
                    ProxyConfig last = base.withTenants(flinkTenant, otherChanged.withChroot("/tenants/other-v2"),
                            new2);
                    expect(proxy.reload(last), "applied", 5);
                    otherClient.awaitState(KeeperState.Disconnected);
                    Runs.patiently().untilAsserted(() -> assertThat(Proxies.connectionsClosed(proxy, "other"))
                            .containsEntry("chroot_changed", 1.0));

                    // 6. The same configuration again, built anew (as a re-read file would be): nothing to do.
                    expect(proxy.reload(base.withTenants(flinkTenant, otherChanged.withChroot("/tenants/other-v2"),
                            new2)), "unchanged", 5);
                    assertThat(proxy.config()).isEqualTo(last);
                    long reloadsTook = System.currentTimeMillis() - reloadsFrom;

                    // Checkpoints go on after the last reload. The wait ends early (-1) if Flink's connection was
                    // closed or its leadership moved (the checks below then say which), or if the job ended (its
                    // pointers are deleted): a Flink that noticed fails in seconds, not at the deadline.
                    long checkpointAtLastReload = Runs.newestCheckpoint(tree, znodes, job);
                    long checkpointAfter = Runs.patiently().until(() -> total(Proxies.connectionsClosed(proxy,
                                    "flink")) != flinkClosedBefore || !leadership(tree, znodes).equals(leadership)
                                    ? -1L : znodes.newestCheckpoint(tree, job).orElse(-1L),
                            id -> id < 0 || id > checkpointAtLastReload);

                    // Flink did not notice: same connection, same leader, same published addresses, no restore.
                    // Read first, then checked together: if Flink noticed, the report says in every way how.
                    double flinkClosed = total(Proxies.connectionsClosed(proxy, "flink"));
                    int flinkConnections = Proxies.connections(proxy, "flink");
                    Optional<Long> leaderNow = znodes.leaderSession(tree);
                    Optional<Long> jobLeaderNow = znodes.jobLeaderSession(tree, job);
                    Map<String, String> leadershipNow = leadership(tree, znodes);
                    JobStatus status = flink.status(job);
                    List<RunLedger.Restore> restores = RunLedger.of(run.runId()).restores();
                    SoftAssertions.assertSoftly(soft -> {
                        soft.assertThat(flinkClosed).as("flink's closed connections").isEqualTo(flinkClosedBefore);
                        soft.assertThat(flinkConnections).as("flink's open connections").isEqualTo(1);
                        soft.assertThat(leaderNow).as("leader session").contains(session);
                        soft.assertThat(jobLeaderNow).as("the JobMaster's session").contains(session);
                        soft.assertThat(leadershipNow).as("latch nodes and leader connection_info znodes")
                                .isEqualTo(leadership);
                        soft.assertThat(checkpointAfter).as("a checkpoint after the reloads, the job still running")
                                .isGreaterThan(checkpointAtLastReload).isGreaterThan(checkpointBefore);
                        soft.assertThat(status).as("job status").isEqualTo(JobStatus.RUNNING);
                        soft.assertThat(restores).as("job restores").isEmpty();
                    });
                    LOG.info("reload under Flink: 6 reloads (4 applied, 1 refused, 1 unchanged) in {} ms; "
                                    + "checkpoints {} (first), {} (before the reloads), {} (at the last), {} (after); "
                                    + "leader session 0x{} kept",
                            reloadsTook, firstCheckpoint, checkpointBefore, checkpointAtLastReload, checkpointAfter,
                            Long.toHexString(session));

                    flink.awaitFinished(job);
                    assertThat(RunLedger.of(run.runId()).restores()).as("job restores, whole run").isEmpty();
                    assertThat(total(Proxies.connectionsClosed(proxy, "flink"))).isEqualTo(flinkClosedBefore);
                    Verdicts.alertsMatchOracle(run);
                    // The other tenants' trees are theirs (and checked by the proxy's own ITs); flink's must be
                    // where it always is.
                    List<String> flinkSide = tree.paths("/").stream().filter(p -> !p.startsWith("/tenants/new")
                            && !p.startsWith("/tenants/other")).toList();
                    Verdicts.flinkTreesOnlyUnderChroots(flinkSide, List.of(znodes));
                }
            }
        }
    }

    /**
     * The JobManager's leadership as ZooKeeper holds it: the latch nodes, and every leader's {@code connection_info}
     * (dispatcher, resource manager, REST endpoint, the job's JobMaster) with its creation zxid and data, the
     * address and leader session id Flink publishes. A leader change or a JobManager failover rewrites or recreates
     * them; a reconnect of the same session does not.
     */
    private static Map<String, String> leadership(UpstreamTree tree, FlinkZnodes znodes) throws Exception {
        Map<String, String> view = new TreeMap<>();
        view.put("latch", tree.children(znodes.latch()).toString());
        String leader = znodes.base() + "/leader";
        for (String component : tree.children(leader)) {
            String info = leader + "/" + component + "/connection_info";
            tree.stat(info).ifPresent(stat -> view.put(component, "czxid " + stat.getCzxid() + ", mzxid "
                    + stat.getMzxid() + ", owner 0x" + Long.toHexString(stat.getEphemeralOwner())));
            tree.data(info).ifPresent(data -> view.put(component + " data", HexFormat.of().formatHex(data)));
        }
        return view;
    }

    private static void expect(ReloadStatus status, String outcome, long generation) {
        assertThat(status.outcome()).as("reload outcome, errors: %s", status.errors()).isEqualTo(outcome);
        assertThat(status.generation()).as("generation after the reload").isEqualTo(generation);
    }

    private static Tenant find(ProxyServer proxy, String name) {
        return proxy.tenants().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static double total(Map<String, Double> byReason) {
        return byReason.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A plain ZooKeeper client of one tenant listener, recording the connection states it goes through. */
    private record PlainClient(ZooKeeper zk, List<KeeperState> states) implements AutoCloseable {
        static PlainClient connect(InetSocketAddress address) throws Exception {
            List<KeeperState> states = new CopyOnWriteArrayList<>();
            ZooKeeper zk = new ZooKeeper(address.getHostString() + ":" + address.getPort(), 30_000, event -> {
                if (event.getType() == EventType.None) {
                    states.add(event.getState());
                }
            }, PlainClients.config());
            PlainClient client = new PlainClient(zk, states);
            try {
                client.awaitState(KeeperState.SyncConnected);
            } catch (RuntimeException | Error e) {
                client.close();
                throw e;
            }
            return client;
        }

        void awaitState(KeeperState state) {
            Runs.patiently().until(() -> states.contains(state));
        }

        @Override
        public void close() {
            try {
                // bounded: a removed tenant's client has nowhere to send its closeSession
                zk.close(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
