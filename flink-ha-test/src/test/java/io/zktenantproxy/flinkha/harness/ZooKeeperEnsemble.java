package io.zktenantproxy.flinkha.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

/**
 * The real ZooKeeper behind the proxy, from curator-test: one {@link TestingServer} or a {@link TestingCluster}.
 *
 * <p>Settings a proxied ensemble needs: {@code maxClientCnxns=0}, because every proxied client arrives from the
 * proxy's address and the default limit of 60 per address would refuse sessions; and the {@code cons} four-letter
 * word, which the tests use to find the server holding a given session.
 */
public final class ZooKeeperEnsemble implements AutoCloseable {
    static {
        // Read once per JVM by ZooKeeper's FourLetterCommands, so it must be set before any server starts.
        System.setProperty("zookeeper.4lw.commands.whitelist", "*");
    }

    private final TestingServer server;
    private final TestingCluster cluster;
    private final List<InstanceSpec> specs;

    private ZooKeeperEnsemble(TestingServer server, TestingCluster cluster, List<InstanceSpec> specs) {
        this.server = server;
        this.cluster = cluster;
        this.specs = specs;
    }

    /** @return a started single server; {@code tickTime} bounds the session timeouts it grants (2 to 20 ticks) */
    public static ZooKeeperEnsemble single(int tickTimeMs) throws Exception {
        InstanceSpec spec = spec(tickTimeMs);
        return new ZooKeeperEnsemble(new TestingServer(spec, true), null, List.of(spec));
    }

    /** @return a started ensemble of {@code size} servers */
    public static ZooKeeperEnsemble cluster(int size, int tickTimeMs) throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            specs.add(spec(tickTimeMs));
        }
        TestingCluster cluster = new TestingCluster(specs);
        cluster.start();
        return new ZooKeeperEnsemble(null, cluster, List.copyOf(specs));
    }

    private static InstanceSpec spec(int tickTimeMs) {
        return new InstanceSpec(null, -1, -1, -1, true, -1, tickTimeMs, 0, Map.of(), "127.0.0.1");
    }

    /** @return the servers' client addresses, {@code host:port,...}: the proxy's upstream */
    public String connectString() {
        return server != null ? server.getConnectString() : cluster.getConnectString();
    }

    /** @return the servers */
    public List<InstanceSpec> servers() {
        return specs;
    }

    /** @return the server that currently holds {@code sessionId}, asked of each server with {@code cons} */
    public Optional<InstanceSpec> serverHolding(long sessionId) {
        String needle = "sid=0x" + Long.toHexString(sessionId) + ",";
        for (InstanceSpec spec : specs) {
            try {
                if (fourLetterWord(spec, "cons").contains(needle)) {
                    return Optional.of(spec);
                }
            } catch (IOException e) {
                // a stopped server holds nothing
            }
        }
        return Optional.empty();
    }

    /** @return how many client connections {@code spec} has, from {@code cons} (one line per connection) */
    public int connections(InstanceSpec spec) throws IOException {
        return (int) fourLetterWord(spec, "cons").lines().filter(l -> l.contains("sid=0x")).count();
    }

    /** Stops one server of the cluster, as a crash would. */
    public void kill(InstanceSpec spec) throws Exception {
        if (cluster == null) {
            throw new IllegalStateException("a single server cannot lose a member");
        }
        cluster.killServer(spec);
    }

    private static String fourLetterWord(InstanceSpec spec, String word) throws IOException {
        try (Socket socket = new Socket(spec.getHostname(), spec.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        } else {
            cluster.close();
        }
    }
}
