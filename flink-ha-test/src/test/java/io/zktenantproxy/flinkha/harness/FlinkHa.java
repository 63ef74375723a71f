package io.zktenantproxy.flinkha.harness;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * The Flink settings of one tenant's cluster behind the proxy, as the {@code flink-conf}/{@code config.yaml} keys
 * that docs/FLINK.md explains. The quorum lists proxy listeners only, never a ZooKeeper server.
 *
 * @param quorum            the proxy instances' addresses for this tenant
 * @param clusterId         {@code high-availability.cluster-id}
 * @param storageDir        {@code high-availability.storageDir}: per tenant, it holds what ZooKeeper points to
 * @param checkpointDir     {@code execution.checkpointing.dir}
 * @param sessionTimeout    ZooKeeper session timeout Flink asks for (the server clamps it to 2..20 ticks)
 * @param tolerateSuspended keep leadership while the connection is merely suspended (a proxy or server restart)
 */
public record FlinkHa(List<InetSocketAddress> quorum, String clusterId, Path storageDir, Path checkpointDir,
                      Duration sessionTimeout, boolean tolerateSuspended) {
    /** Flink's default {@code path.root}, kept: the chroot separates tenants, not the root. */
    public static final String PATH_ROOT = "/flink";
    /** The cluster id every tenant uses in these tests, to show that equal ids do not collide. */
    public static final String CLUSTER_ID = "/fraud-detection";

    /**
     * @return the recommended settings: the shared cluster id, a 10 s session, suspended connections tolerated (a
     *     proxy or server restart then costs a reconnect, not a leadership change)
     */
    public static FlinkHa of(List<InetSocketAddress> quorum, Path workDir) {
        return new FlinkHa(quorum, CLUSTER_ID, workDir.resolve("ha"), workDir.resolve("checkpoints"),
                Duration.ofSeconds(10), true);
    }

    public FlinkHa withSessionTimeout(Duration timeout) {
        return new FlinkHa(quorum, clusterId, storageDir, checkpointDir, timeout, tolerateSuspended);
    }

    /** @return these settings with Flink's default: leadership is dropped as soon as the connection is suspended */
    public FlinkHa revokeOnSuspendedConnection() {
        return new FlinkHa(quorum, clusterId, storageDir, checkpointDir, sessionTimeout, false);
    }

    /** @return the tenant's Flink tree upstream */
    public FlinkZnodes znodes(String chroot) {
        return new FlinkZnodes(chroot, PATH_ROOT, clusterId);
    }

    /** @return the settings as Flink configuration keys, in the order docs/FLINK.md lists them */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("high-availability.type", "zookeeper");
        m.put("high-availability.zookeeper.quorum", quorum.stream()
                .map(a -> a.getHostString() + ":" + a.getPort()).collect(Collectors.joining(",")));
        m.put("high-availability.zookeeper.path.root", PATH_ROOT);
        m.put("high-availability.cluster-id", clusterId);
        m.put("high-availability.storageDir", storageDir.toUri().toString());
        m.put("high-availability.zookeeper.client.session-timeout", sessionTimeout.toMillis() + " ms");
        m.put("high-availability.zookeeper.client.connection-timeout", "5 s");
        // Retries of single operations; reconnecting itself is the ZooKeeper client's job and never gives up.
        m.put("high-availability.zookeeper.client.retry-wait", "200 ms");
        m.put("high-availability.zookeeper.client.max-retry-attempts", "10");
        m.put("high-availability.zookeeper.client.tolerate-suspended-connections", Boolean.toString(tolerateSuspended));
        // Left at its default (true) on purpose: the proxy answers /zookeeper/config with proxy addresses.
        m.put("execution.checkpointing.dir", checkpointDir.toUri().toString());
        m.put("restart-strategy.type", "fixed-delay");
        m.put("restart-strategy.fixed-delay.attempts", "1000");
        m.put("restart-strategy.fixed-delay.delay", "200 ms");
        if (beforeFlink120()) {
            // Flink 1.17 and older read the ZooKeeper client's timeouts and retry wait as int milliseconds ("5 s"
            // fails to parse) and know the checkpoint directory only as state.checkpoints.dir.
            m.put("high-availability.zookeeper.client.session-timeout", Long.toString(sessionTimeout.toMillis()));
            m.put("high-availability.zookeeper.client.connection-timeout", "5000");
            m.put("high-availability.zookeeper.client.retry-wait", "200");
            m.put("state.checkpoints.dir", checkpointDir.toUri().toString());
        }
        return m;
    }

    /** @return whether the Flink on the class path is older than 1.20 (the profiles flink-1.15 and flink-1.17) */
    static boolean beforeFlink120() {
        String[] v = EnvironmentInformation.getVersion().split("\\.");
        return Integer.parseInt(v[0]) == 1 && Integer.parseInt(v[1]) < 20;
    }
}
