package io.zktenantproxy.proxy.admin;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;

/**
 * A Flink-like HA layout under {@code /flink/default}, created by a tenant's own client the way Flink 2.x creates it:
 * a {@link LeaderLatch} (ephemeral sequential), an ephemeral {@code connection_info}, an execution plan and a
 * checkpoint each added with a multi of three creates (node, {@code locks}, ephemeral lock), and a checkpoint id
 * counter. Also an oracle: {@link #totals} counts a subtree with plain synchronous reads.
 */
public final class FlinkLayout implements AutoCloseable {
    public static final String JOB = "4f1c3a5e9b2d4c6e8a0b1c2d3e4f5a6b";
    public static final String CONNECTION_INFO = "pekko.tcp://flink@10.0.0.7:6123/user/rpc/resourcemanager_0";
    /** Bytes of the checkpoint handle: not valid UTF-8, so shown as base64. */
    public static final byte[] CHECKPOINT_HANDLE = handle(300);

    private final LeaderLatch latch;
    private final String latchNode;

    private FlinkLayout(LeaderLatch latch, String latchNode) {
        this.latch = latch;
        this.latchNode = latchNode;
    }

    /**
     * Creates the layout through {@code client} (the tenant's view) and waits until the latch leads.
     *
     * @return the layout; close it to give up leadership
     */
    public static FlinkLayout create(CuratorFramework client) throws Exception {
        String root = "/flink/default";
        LeaderLatch latch = new LeaderLatch(client, root + "/leader/latch");
        latch.start();
        if (!latch.await(30, TimeUnit.SECONDS)) {
            latch.close();
            throw new IllegalStateException("latch did not lead within 30 s");
        }
        client.create().creatingParentsIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(root + "/leader/resource_manager/connection_info",
                        CONNECTION_INFO.getBytes(StandardCharsets.UTF_8));
        addWithLock(client, root + "/execution-plans/" + JOB, handle(120));
        addWithLock(client, root + "/jobs/" + JOB + "/checkpoints/0000000000000000001", CHECKPOINT_HANDLE);
        client.create().creatingParentsIfNeeded().forPath(root + "/jobs/" + JOB + "/checkpoint_id_counter",
                ByteBuffer.allocate(4).putInt(2).array());
        List<String> latchNodes = client.getChildren().forPath(root + "/leader/latch");
        return new FlinkLayout(latch, root + "/leader/latch/" + latchNodes.get(0));
    }

    /** Flink's way of adding a state handle: node, its {@code locks} and an ephemeral lock, in one multi. */
    private static void addWithLock(CuratorFramework client, String path, byte[] data) throws Exception {
        String parent = path.substring(0, path.lastIndexOf('/'));
        client.create().creatingParentsIfNeeded().forPath(parent);
        client.transaction().forOperations(
                client.transactionOp().create().forPath(path, data),
                client.transactionOp().create().forPath(path + "/locks"),
                client.transactionOp().create().withMode(CreateMode.EPHEMERAL)
                        .forPath(path + "/locks/" + UUID.randomUUID()));
    }

    private static byte[] handle(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (0xAC + i * 7);
        }
        return b;
    }

    /** @return the client path of the latch's ephemeral sequential node */
    public String latchNode() {
        return latchNode;
    }

    /** Totals of a subtree: nodes, data bytes, ephemerals. */
    public record Totals(long nodes, long bytes, long ephemerals) {
    }

    /** @return the totals of {@code path} and everything under it, read through {@code client} */
    public static Totals totals(CuratorFramework client, String path) throws Exception {
        Stat stat = client.checkExists().forPath(path);
        long nodes = 1;
        long bytes = stat.getDataLength();
        long ephemerals = stat.getEphemeralOwner() != 0 ? 1 : 0;
        for (String child : new ArrayList<>(client.getChildren().forPath(path))) {
            Totals t = totals(client, path.equals("/") ? "/" + child : path + "/" + child);
            nodes += t.nodes;
            bytes += t.bytes;
            ephemerals += t.ephemerals;
        }
        return new Totals(nodes, bytes, ephemerals);
    }

    @Override
    public void close() throws Exception {
        latch.close();
    }
}
