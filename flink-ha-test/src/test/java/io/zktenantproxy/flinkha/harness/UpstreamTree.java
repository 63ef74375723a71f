package io.zktenantproxy.flinkha.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.AuthInfo;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The operator's view: a Curator client straight to the ensemble (no proxy, no chroot), used to check what Flink
 * really wrote where. It authenticates as the platform identity derived from the JVM's upstream secret
 * ({@link UpstreamSecretFile#platform()}), the one identity every tenant ACL grants; any other client gets
 * {@code NOAUTH}. Its ensemble tracker is off so it never wanders from the servers it was given, and its client
 * settings are its own ({@link PlainClients}), whatever TLS properties a test set for Flink in this JVM.
 */
public final class UpstreamTree implements AutoCloseable {
    private final CuratorFramework client;

    public UpstreamTree(String connectString) {
        this.client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(30_000)
                .connectionTimeoutMs(10_000)
                .retryPolicy(new RetryNTimes(10, 200))
                .ensembleTracker(false)
                .zkClientConfig(PlainClients.config())
                .authorization(UpstreamSecretFile.platform().stream()
                        .map(c -> new AuthInfo("digest", c.authData())).toList())
                .build();
        client.start();
    }

    /** @return every path at or below {@code root}, depth first, parents before children; empty if absent */
    public List<String> paths(String root) throws Exception {
        List<String> out = new ArrayList<>();
        walk(root, out);
        return out;
    }

    private void walk(String path, List<String> out) throws Exception {
        List<String> children;
        try {
            children = client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return; // deleted while we walked
        }
        out.add(path);
        for (String child : children.stream().sorted().toList()) {
            walk(path.equals("/") ? "/" + child : path + "/" + child, out);
        }
    }

    /** @return the children of {@code path}, sorted; empty when it does not exist */
    public List<String> children(String path) throws Exception {
        try {
            return client.getChildren().forPath(path).stream().sorted().toList();
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
    }

    /** @return the node's stat, empty when it does not exist */
    public Optional<Stat> stat(String path) throws Exception {
        return Optional.ofNullable(client.checkExists().forPath(path));
    }

    /**
     * @return the node's ACL as the ensemble stores it (the platform may administer every tenant znode, so no digest
     *     is blanked), empty when it does not exist
     */
    public Optional<List<ACL>> acl(String path) throws Exception {
        try {
            return Optional.of(client.getACL().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** @return the node's data, empty when it does not exist */
    public Optional<byte[]> data(String path) throws Exception {
        try {
            return Optional.of(client.getData().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        }
    }

    /** @return the session owning the ephemeral node at {@code path}, empty when absent */
    public Optional<Long> ephemeralOwner(String path) throws Exception {
        return stat(path).map(Stat::getEphemeralOwner).filter(owner -> owner != 0);
    }

    @Override
    public void close() {
        client.close();
    }
}
