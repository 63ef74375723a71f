package io.zktenantproxy.proxy.flink;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.CreateMode;

/**
 * Flink HA trees written through a tenant's own (chrooted) client the way each Flink writes them (checked against
 * Flink's sources: {@code ZooKeeperUtils}, {@code ZooKeeperStateHandleStore}, {@code ZooKeeperHaServices} of 1.12.7,
 * 1.14.6, 1.20.3 and 2.3.0): a real Curator {@link LeaderLatch}, ephemeral leader znodes holding
 * {@link FlinkBytes#leaderInfo}, state handles added with their lock in one multi, checkpoint pointers named
 * {@code %019d}, and the checkpoint counter as a Curator {@code SharedCount} (four bytes).
 */
final class FlinkTrees {
    static final String JOB = "4f1c3a5e9b2d4c6e8a0b1c2d3e4f5a6b";
    static final String APP = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    static final String LOCK = "8c2d6a10-0000-4000-8000-000000000001";

    private final CuratorFramework client;
    private final List<LeaderLatch> latches = new ArrayList<>();

    FlinkTrees(CuratorFramework client) {
        this.client = client;
    }

    /** Flink 2.x (2.3 with {@code applications} when {@code withApplications}); 1.15-1.20 with {@code jobgraphs}. */
    void shared(String cluster, String plans, boolean withApplications) throws Exception {
        lead(cluster + "/leader/latch");
        // a JobMaster's leader znode is job-<job id> from Flink 1.20 on (bare <job id> in 1.15)
        for (String component : List.of("dispatcher", "resource_manager", "rest_server", "job-" + JOB)) {
            ephemeral(cluster + "/leader/" + component + "/connection_info", FlinkBytes.leaderInfo(
                    "pekko.tcp://flink@10.0.0.7:6123/user/rpc/" + component, FlinkBytes.SESSION));
        }
        handle(cluster + "/" + plans + "/" + JOB, "/locks/");
        for (long id = 5; id <= 7; id++) {
            handle(cluster + "/jobs/" + JOB + "/checkpoints/" + String.format("%019d", id), "/locks/");
        }
        persistent(cluster + "/jobs/" + JOB + "/checkpoint_id_counter", ByteBuffer.allocate(4).putInt(8).array());
        if (withApplications) {
            handle(cluster + "/applications/" + APP, "/locks/");
        }
    }

    /** Flink 1.12: a latch per component, leader information in {@code leader/<component>_lock}. */
    void flink112(String cluster) throws Exception {
        lead(cluster + "/leaderlatch/dispatcher_lock");
        lead(cluster + "/leaderlatch/" + JOB + "/job_manager_lock");
        ephemeral(cluster + "/leader/dispatcher_lock", FlinkBytes.leaderInfo(FlinkBytes.DISPATCHER,
                FlinkBytes.SESSION));
        ephemeral(cluster + "/leader/" + JOB + "/job_manager_lock", FlinkBytes.leaderInfo("akka.tcp://jm", null));
        handle(cluster + "/jobgraphs/" + JOB, "/");
        handle(cluster + "/checkpoints/" + JOB + "/" + String.format("%019d", 12), "/");
        persistent(cluster + "/checkpoint-counter/" + JOB, ByteBuffer.allocate(4).putInt(13).array());
        persistent(cluster + "/running_job_registry/" + JOB, "RUNNING".getBytes());
    }

    /** Flink 1.14: a latch per component beside its {@code connection_info}; a job's under {@code jobs/<job>}. */
    void flink114(String cluster) throws Exception {
        lead(cluster + "/leader/dispatcher/latch");
        ephemeral(cluster + "/leader/dispatcher/connection_info", FlinkBytes.leaderInfo(FlinkBytes.DISPATCHER,
                FlinkBytes.SESSION));
        lead(cluster + "/jobs/" + JOB + "/leader/latch");
        ephemeral(cluster + "/jobs/" + JOB + "/leader/connection_info", FlinkBytes.leaderInfo("akka.tcp://jm",
                FlinkBytes.SESSION));
        handle(cluster + "/jobgraphs/" + JOB, "/");
        handle(cluster + "/jobs/" + JOB + "/checkpoints/" + String.format("%019d", 3), "/");
        persistent(cluster + "/jobs/" + JOB + "/checkpoint_id_counter", ByteBuffer.allocate(4).putInt(4).array());
    }

    /** Starts a latch at {@code path} and waits until it leads. */
    LeaderLatch lead(String path) throws Exception {
        LeaderLatch latch = new LeaderLatch(client, path);
        latches.add(latch);
        latch.start();
        if (!latch.await(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("latch " + path + " did not lead within 20 s");
        }
        return latch;
    }

    void ephemeral(String path, byte[] data) throws Exception {
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(path, data);
    }

    void persistent(String path, byte[] data) throws Exception {
        client.create().creatingParentsIfNeeded().forPath(path, data);
    }

    /** A state handle and its lock in one multi, as {@code ZooKeeperStateHandleStore} adds them. */
    void handle(String path, String lockDir) throws Exception {
        String parent = path.substring(0, path.lastIndexOf('/'));
        if (client.checkExists().forPath(parent) == null) {
            client.create().creatingParentsIfNeeded().forPath(parent);
        }
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(client.transactionOp().create().forPath(path, new byte[] {(byte) 0xac, (byte) 0xed, 0, 5}));
        if (lockDir.equals("/locks/")) {
            ops.add(client.transactionOp().create().forPath(path + "/locks"));
        }
        ops.add(client.transactionOp().create().withMode(CreateMode.EPHEMERAL).forPath(path + lockDir
                + UUID.randomUUID()));
        client.transaction().forOperations(ops);
    }
}
