package io.zktenantproxy.proxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.CreateMode;

/**
 * One Flink 2.x cluster's HA znodes, written through a tenant's own (chrooted) client the way Flink writes them: a
 * real Curator {@link LeaderLatch} at {@code leader/latch}, an ephemeral {@code leader/dispatcher/connection_info}
 * holding what {@code ZooKeeperUtils.writeLeaderInformationToZooKeeper} writes (a real {@link ObjectOutputStream}:
 * {@code writeUTF(address)}, {@code writeObject(UUID)}), an execution plan and checkpoint pointers each added with
 * its {@code locks} and an ephemeral lock in one multi, and a four-byte checkpoint id counter.
 */
public final class FlinkHaCluster implements AutoCloseable {
    public static final String JOB = "4f1c3a5e9b2d4c6e8a0b1c2d3e4f5a6b";
    public static final String DISPATCHER = "pekko.tcp://flink@10.0.0.7:6123/user/rpc/dispatcher_1";
    public static final UUID SESSION = UUID.fromString("1b4e28ba-2fa1-11d2-883f-0016d3cca427");

    private final CuratorFramework client;
    private final String path;
    private LeaderLatch latch;

    private FlinkHaCluster(CuratorFramework client, String path) {
        this.client = client;
        this.path = path;
    }

    /**
     * Writes a cluster at {@code path} (a tenant path, e.g. {@code /flink/fraud}) with one job and its checkpoint
     * {@code checkpoint}, and waits until its latch leads.
     */
    public static FlinkHaCluster create(CuratorFramework client, String path, long checkpoint) throws Exception {
        FlinkHaCluster cluster = new FlinkHaCluster(client, path);
        cluster.lead();
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(path + "/leader/dispatcher/connection_info", leaderInfo(DISPATCHER, SESSION));
        cluster.addWithLock(path + "/execution-plans/" + JOB);
        cluster.checkpoint(checkpoint);
        return cluster;
    }

    /** @return what Flink writes as leader information */
    public static byte[] leaderInfo(String address, UUID session) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeUTF(address);
            oos.writeObject(session);
        }
        return bytes.toByteArray();
    }

    /** Starts a latch at {@code leader/latch} and waits until it leads. */
    public void lead() throws Exception {
        latch = new LeaderLatch(client, path + "/leader/latch");
        latch.start();
        if (!latch.await(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("latch did not lead within 20 s");
        }
    }

    /** Closes the latch: its ephemeral znode goes, and the cluster has no leader. */
    public void loseLeader() throws Exception {
        latch.close();
        latch = null;
    }

    /** Completes checkpoint {@code id}: its pointer (with a lock) and the counter at {@code id + 1}. */
    public void checkpoint(long id) throws Exception {
        addWithLock(path + "/jobs/" + JOB + "/checkpoints/" + String.format("%019d", id));
        byte[] counter = ByteBuffer.allocate(4).putInt((int) id + 1).array();
        String counterPath = path + "/jobs/" + JOB + "/checkpoint_id_counter";
        if (client.checkExists().forPath(counterPath) == null) {
            client.create().forPath(counterPath, counter);
        } else {
            client.setData().forPath(counterPath, counter);
        }
    }

    /** Replaces the dispatcher's leader information with {@code bytes}. */
    public void leaderInfoBytes(byte[] bytes) throws Exception {
        client.setData().forPath(path + "/leader/dispatcher/connection_info", bytes);
    }

    /** Deletes the cluster's znodes, after losing its leader. */
    public void delete() throws Exception {
        close();
        client.delete().deletingChildrenIfNeeded().forPath(path);
    }

    private void addWithLock(String node) throws Exception {
        String parent = node.substring(0, node.lastIndexOf('/'));
        if (client.checkExists().forPath(parent) == null) {
            client.create().creatingParentsIfNeeded().forPath(parent);
        }
        client.transaction().forOperations(
                client.transactionOp().create().forPath(node, new byte[] {(byte) 0xac, (byte) 0xed, 0, 5}),
                client.transactionOp().create().forPath(node + "/locks"),
                client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                        .forPath(node + "/locks/" + UUID.randomUUID()));
    }

    @Override
    public void close() throws Exception {
        if (latch != null) {
            loseLeader();
        }
    }
}
