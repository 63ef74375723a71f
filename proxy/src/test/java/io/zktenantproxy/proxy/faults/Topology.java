package io.zktenantproxy.proxy.faults;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.zktenantproxy.proxy.it.TestSecret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything a fault-injection run breaks, wired as a platform runs it: a three-server ensemble, a {@link FaultyLink}
 * in front of each server that every proxy replica goes through, {@value #REPLICAS} proxy replicas (processes, with
 * the upstream secret and the operator identity), and for each tenant a link in front of each replica's listener of
 * that tenant. A tenant's clients connect to its three links, so a client moves between replicas as a client of
 * a real platform moves between proxy pods; each replica advertises its tenants' links in {@code /zookeeper/config}.
 */
final class Topology implements AutoCloseable {
    /** Proxy replicas in a run. */
    static final int REPLICAS = 3;
    /** The platform's operator: a direct client authenticated as it reads every tenant's tree. */
    static final String OPERATOR_USER = "zktp-ops";

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final String operatorPassword = TestSecret.random();
    private QuorumProcesses quorum;
    private final List<FaultyLink> serverLinks = new ArrayList<>();
    private final List<ProxyReplica> replicas = new ArrayList<>();
    private final Map<String, List<FaultyLink>> clientLinks = new LinkedHashMap<>();

    private Topology() {
    }

    /**
     * Starts the whole topology under {@code dir}.
     *
     * @param budgets per tenant, its requests-per-second budget on each replica (0: the default)
     * @param limits the proxy's {@code limits} mapping body, lines indented by two spaces
     */
    static Topology start(Path dir, Map<String, Integer> budgets, String limits) throws Exception {
        Topology t = new Topology();
        try {
            t.quorum = QuorumProcesses.start(dir);
            t.closeables.add(t.quorum);
            for (QuorumProcesses.Server s : t.quorum.servers()) {
                t.serverLinks.add(t.track(FaultyLink.open("proxies->zk-" + s.id(), t.loop, 0, s.clientPort())));
            }
            String upstream = t.serverLinks.stream().map(l -> "127.0.0.1:" + l.port())
                    .collect(Collectors.joining(","));
            Map<String, int[]> replicaPorts = new LinkedHashMap<>();
            for (String tenant : budgets.keySet()) {
                int[] ports = new int[REPLICAS];
                List<FaultyLink> links = new ArrayList<>();
                for (int r = 0; r < REPLICAS; r++) {
                    ports[r] = QuorumProcesses.freePort();
                    links.add(t.track(FaultyLink.open(tenant + "->proxy-" + (r + 1), t.loop, 0, ports[r])));
                }
                replicaPorts.put(tenant, ports);
                t.clientLinks.put(tenant, List.copyOf(links));
            }
            Path secret = TestSecret.file(1);
            for (int r = 0; r < REPLICAS; r++) {
                List<ProxyReplica.TenantSpec> specs = new ArrayList<>();
                for (Map.Entry<String, Integer> tenant : budgets.entrySet()) {
                    List<String> advertised = t.clientLinks.get(tenant.getKey()).stream()
                            .map(l -> "127.0.0.1:" + l.port()).toList();
                    specs.add(new ProxyReplica.TenantSpec(tenant.getKey(), replicaPorts.get(tenant.getKey())[r],
                            advertised, tenant.getValue()));
                }
                t.replicas.add(t.track(ProxyReplica.start("proxy-" + (r + 1), dir, upstream, secret,
                        t.operatorPassword, specs, limits)));
            }
            return t;
        } catch (Exception | Error e) {
            t.close();
            throw e;
        }
    }

    QuorumProcesses quorum() {
        return quorum;
    }

    List<FaultyLink> serverLinks() {
        return serverLinks;
    }

    List<ProxyReplica> replicas() {
        return replicas;
    }

    /** @return the links in front of {@code tenant}'s listeners, one per replica */
    List<FaultyLink> clientLinks(String tenant) {
        return clientLinks.get(tenant);
    }

    /** @return every client link of every tenant */
    List<FaultyLink> allClientLinks() {
        return clientLinks.values().stream().flatMap(List::stream).toList();
    }

    /** @return the connect string a client of {@code tenant} uses: its three links */
    String connectString(String tenant) {
        return clientLinks.get(tenant).stream().map(l -> "127.0.0.1:" + l.port()).collect(Collectors.joining(","));
    }

    /** @return {@code user:password} of the operator identity, for {@code addAuthInfo("digest", ...)} */
    String operatorDigest() {
        return OPERATOR_USER + ":" + operatorPassword;
    }

    /** Heals every link (ends delays and cuts) and thaws every replica. */
    void healAll() throws Exception {
        for (FaultyLink l : serverLinks) {
            l.heal();
        }
        for (FaultyLink l : allClientLinks()) {
            l.heal();
        }
        for (ProxyReplica r : replicas) {
            r.jvm().thaw();
        }
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                // closing the rest matters more
            }
        }
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        closeables.add(closeable);
        return closeable;
    }

}
