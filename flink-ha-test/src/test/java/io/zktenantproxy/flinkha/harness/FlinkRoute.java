package io.zktenantproxy.flinkha.harness;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a crash scenario's Flink processes reach ZooKeeper: through proxy replicas run as processes (sidecars, one
 * per node, each serving one tenant) or directly, the same scenario without the proxy, for comparison. Direct, Flink's
 * tree has no chroot ({@code /flink/<cluster-id>}), so only one tenant can use a cluster id.
 */
public final class FlinkRoute implements AutoCloseable {
    /** Which way. */
    public enum Kind { PROXY, DIRECT }

    private final Kind kind;
    private final String upstream;
    private final String tenant;
    private final Path logs;
    private final List<ProxyProcess> replicas = new ArrayList<>();

    /**
     * @param upstream the ensemble's connect string ({@code host:port}; direct routes use it as the quorum)
     * @param tenant   the tenant the proxy replicas serve
     * @param logs     where the replicas' logs go
     */
    public FlinkRoute(Kind kind, String upstream, String tenant, Path logs) {
        this.kind = kind;
        this.upstream = upstream;
        this.tenant = tenant;
        this.logs = logs;
    }

    public Kind kind() {
        return kind;
    }

    /** @return {@code proxy} or {@code direct}, as {@link CrashTimes} records it */
    public String label() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * @return the quorum of a new node's processes: a new proxy replica of their own (started now, see
     *     {@link #replica(int)}), or the ensemble itself
     */
    public List<InetSocketAddress> newNode() {
        if (kind == Kind.DIRECT) {
            String[] hostPort = upstream.split(",")[0].split(":");
            return List.of(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        String name = tenant + "-proxy-" + (replicas.size() + 1);
        ProxyProcess p = ProxyProcess.start(name, upstream, tenant, logs.resolve(name + ".log"));
        replicas.add(p);
        return List.of(p.address());
    }

    /** @return the replica the {@code index}th call of {@link #newNode()} started (0-based); proxy routes only */
    public ProxyProcess replica(int index) {
        return replicas.get(index);
    }

    /** @return the tenant's chroot upstream: {@code /tenants/<tenant>}, or empty when direct */
    public String chroot() {
        return kind == Kind.DIRECT ? "" : "/tenants/" + tenant;
    }

    /** @return the last lines of every replica's log */
    public String tails() {
        StringBuilder out = new StringBuilder();
        replicas.forEach(r -> out.append(r.jvm().tail()).append('\n'));
        return out.toString();
    }

    /** SIGKILLs every replica still alive. */
    @Override
    public void close() {
        replicas.forEach(ProxyProcess::close);
    }
}
