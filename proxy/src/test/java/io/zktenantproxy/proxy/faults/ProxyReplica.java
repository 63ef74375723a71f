package io.zktenantproxy.proxy.faults;

import static org.awaitility.Awaitility.await;

import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One proxy replica of the fault-injection suite: the shaded jar ({@code target/zk-tenant-proxy.jar}, built before
 * Failsafe runs) in a JVM of its own, started with {@code --config} on a YAML file this class writes. Every replica
 * of a run has the same tenants, the same upstream secret and operator, and a listener port per tenant that stays
 * the same across restarts, so a restarted replica is the same address to its clients.
 */
final class ProxyReplica implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final ChildJvm jvm;
    private final Map<String, Integer> tenantPorts;

    private ProxyReplica(ChildJvm jvm, Map<String, Integer> tenantPorts) {
        this.jvm = jvm;
        this.tenantPorts = tenantPorts;
    }

    /**
     * Writes the replica's configuration and starts it.
     *
     * @param name {@code "proxy-1"}; also the folder under {@code dir} for its YAML and log
     * @param upstream the connect string of the links to the ensemble's servers
     * @param tenants per tenant: its listener port and the addresses it advertises in {@code /zookeeper/config} (the
     *     client links, so that Curator's ensemble tracker keeps going through them)
     * @param limits the inside of the {@code limits} mapping, YAML lines indented by four spaces
     */
    static ProxyReplica start(String name, Path dir, String upstream, Path secretFile, String operatorPassword,
                              List<TenantSpec> tenants, String limits) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        List<String> yaml = new ArrayList<>(List.of(
                "upstream:",
                "  connect: " + upstream,
                "  secretFile: " + secretFile.toAbsolutePath(),
                "createChroots: true",
                "operator:",
                "  user: zktp-ops",
                "  password: " + operatorPassword,
                "limits:"));
        yaml.addAll(limits.lines().toList());
        yaml.add("tenants:");
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        for (TenantSpec t : tenants) {
            yaml.add("  - name: " + t.name());
            yaml.add("    listen: 127.0.0.1:" + t.port());
            yaml.add("    advertised: [" + String.join(", ", t.advertised()) + "]");
            if (t.requestsPerSecond() > 0) {
                yaml.add("    requestsPerSecond: " + t.requestsPerSecond());
            }
            ports.put(t.name(), t.port());
        }
        Path config = home.resolve("proxy.yaml");
        Files.write(config, yaml);
        Path jar = Path.of("target", "zk-tenant-proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run through 'mvn verify' (the shade plugin builds it)");
        }
        // the suite's transport (zktp.transport, auto unless a run names one) goes to the replicas too
        ChildJvm jvm = new ChildJvm(name,
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-D" + ServerConfig.TRANSPORT_PROPERTY + "=" + ServerConfig.defaults().effectiveTransport()),
                List.of("-jar", jar.toString(), "--config", config.toString()),
                home.resolve("proxy.log"));
        ProxyReplica replica = new ProxyReplica(jvm, Map.copyOf(ports));
        replica.restart();
        return replica;
    }

    /** A tenant as every replica serves it. */
    record TenantSpec(String name, int port, List<String> advertised, int requestsPerSecond) {
    }

    /** Starts the (killed or not yet started) JVM and waits until every tenant listener answers {@code srvr}. */
    void restart() throws IOException {
        jvm.start();
        try {
            await(jvm.name() + " serving its tenants").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                    .until(this::serves);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(jvm.name() + " did not serve within " + START_TIMEOUT + "; " + jvm.logTail(), e);
        }
    }

    /** @return whether every tenant listener answers {@code srvr}; fails if the JVM ended */
    boolean serves() {
        if (!jvm.alive()) {
            throw new AssertionError(jvm.name() + " ended; " + jvm.logTail());
        }
        for (int port : tenantPorts.values()) {
            try {
                if (!Upstreams.fourLetterWord("127.0.0.1", port, "srvr").contains("Mode:")) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    ChildJvm jvm() {
        return jvm;
    }

    @Override
    public void close() {
        jvm.close();
    }
}
