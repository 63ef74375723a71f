package io.zktenantproxy.proxy.admin;

import io.zktenantproxy.proxy.flink.FlinkBytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.CreateMode;

/**
 * Writes Flink 2.x HA trees through a tenant's own client the way Flink does: a real Curator {@link LeaderLatch}, an
 * ephemeral {@code leader/<component>/connection_info} per component holding what
 * {@code ZooKeeperUtils.writeLeaderInformationToZooKeeper} writes (a real {@code ObjectOutputStream}:
 * {@code writeUTF(address)} then {@code writeObject(UUID)}), state handles added with their lock in one multi,
 * checkpoint pointers named {@code %019d} and a four-byte checkpoint counter. {@link #close} ends the latches.
 */
final class FlinkHaWriter implements AutoCloseable {
    static final String JOB = "9e3c1a2b4d5f60718293a4b5c6d7e8f0";
    static final String APP = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    static final UUID SESSION = UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
    /** The newest checkpoint of {@link #flink23}; the counter is one more. */
    static final long CHECKPOINT = 42;

    private final CuratorFramework client;
    private final List<LeaderLatch> latches = new ArrayList<>();

    FlinkHaWriter(CuratorFramework client) {
        this.client = client;
    }

    /**
     * A Flink 2.3 cluster at {@code cluster} (e.g. {@code /flink/fraud}) led by this client: a dispatcher, resource
     * manager and REST endpoint advertising {@code <address>} and {@code rest}, job {@link #JOB} with its plan,
     * checkpoints 41 and {@link #CHECKPOINT} and counter 43, application {@link #APP}.
     */
    void flink23(String cluster, String address, String rest) throws Exception {
        lead(cluster + "/leader/latch");
        leader(cluster, "dispatcher", FlinkBytes.leaderInfo(address + "/dispatcher_1", SESSION));
        leader(cluster, "resource_manager", FlinkBytes.leaderInfo(address + "/resourcemanager_0", SESSION));
        leader(cluster, "rest_server", FlinkBytes.leaderInfo(rest, SESSION));
        leader(cluster, JOB, FlinkBytes.leaderInfo(address + "/jobmanager_2", SESSION));
        handle(cluster + "/execution-plans/" + JOB);
        handle(cluster + "/jobs/" + JOB + "/checkpoints/" + String.format("%019d", CHECKPOINT - 1));
        handle(cluster + "/jobs/" + JOB + "/checkpoints/" + String.format("%019d", CHECKPOINT));
        client.create().creatingParentsIfNeeded().forPath(cluster + "/jobs/" + JOB + "/checkpoint_id_counter",
                ByteBuffer.allocate(4).putInt((int) CHECKPOINT + 1).array());
        handle(cluster + "/applications/" + APP);
    }

    /** Starts a latch at {@code path} and waits until it leads. */
    void lead(String path) throws Exception {
        LeaderLatch latch = new LeaderLatch(client, path);
        latches.add(latch);
        latch.start();
        if (!latch.await(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("latch " + path + " did not lead within 20 s");
        }
    }

    /** Writes {@code info} to the ephemeral {@code <cluster>/leader/<component>/connection_info}. */
    void leader(String cluster, String component, byte[] info) throws Exception {
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(cluster + "/leader/" + component + "/connection_info", info);
    }

    /** A state handle, its {@code locks} and an ephemeral lock in one multi, as ZooKeeperStateHandleStore adds them. */
    private void handle(String path) throws Exception {
        String parent = path.substring(0, path.lastIndexOf('/'));
        if (client.checkExists().forPath(parent) == null) {
            client.create().creatingParentsIfNeeded().forPath(parent);
        }
        client.transaction().forOperations(
                client.transactionOp().create().forPath(path, new byte[] {(byte) 0xac, (byte) 0xed, 0, 5}),
                client.transactionOp().create().forPath(path + "/locks"),
                client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                        .forPath(path + "/locks/" + UUID.randomUUID()));
    }


    @Override
    public void close() throws Exception {
        Closing.all(latches.toArray(new AutoCloseable[0]));
    }
}
