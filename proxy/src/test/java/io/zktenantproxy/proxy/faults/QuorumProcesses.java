package io.zktenantproxy.proxy.faults;

import static org.awaitility.Awaitility.await;

import io.zktenantproxy.proxy.it.Upstreams;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A three-server ZooKeeper ensemble, each server ({@code QuorumPeerMain} of the test class path's release) in a JVM of
 * its own so that the nemesis can {@code kill -9} the leader or a follower and start it again on the same data.
 *
 * <p>Settings: {@code tickTime} 1 s (sessions of 2 to 60 s), {@code initLimit} 10 and {@code syncLimit} 5 ticks,
 * every four-letter word allowed (the proxy asks {@code srvr}, the suite asks {@code srvr} for the mode), no admin
 * server, no per-address connection limit. {@code zookeeper.forceSync=no}: a killed process loses nothing the kernel
 * holds, so the suite stays honest about process crashes (it does not simulate power loss) and the loaded CI
 * machine does not wait on its disk.
 */
final class QuorumProcesses implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final List<Server> servers;

    private QuorumProcesses(List<Server> servers) {
        this.servers = servers;
    }

    /** One server: its id (1..3), client port and process. */
    record Server(int id, int clientPort, ChildJvm jvm) {
        /** @return the answer to {@code srvr}, empty when the server does not serve (down, or electing) */
        Optional<String> srvr() {
            try {
                String answer = Upstreams.fourLetterWord("127.0.0.1", clientPort, "srvr");
                return answer.contains("Mode:") ? Optional.of(answer) : Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
        }

        /** @return whether {@code srvr} says {@code Mode: leader} */
        boolean leads() {
            return srvr().map(s -> s.contains("Mode: leader")).orElse(false);
        }
    }

    /** Writes the configuration of three servers under {@code dir}, starts them and waits until one leads. */
    static QuorumProcesses start(Path dir) throws IOException {
        int[] client = new int[3];
        int[] peer = new int[3];
        int[] election = new int[3];
        for (int i = 0; i < 3; i++) {
            client[i] = freePort();
            peer[i] = freePort();
            election[i] = freePort();
        }
        List<Server> servers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int id = i + 1;
            Path home = Files.createDirectories(dir.resolve("zk-" + id));
            Path data = Files.createDirectories(home.resolve("data"));
            Files.writeString(data.resolve("myid"), id + "\n");
            List<String> cfg = new ArrayList<>(List.of(
                    "tickTime=1000", "initLimit=10", "syncLimit=5", "maxSessionTimeout=60000",
                    "dataDir=" + data.toAbsolutePath(),
                    "clientPort=" + client[i], "clientPortAddress=127.0.0.1",
                    "maxClientCnxns=0", "admin.enableServer=false", "4lw.commands.whitelist=*"));
            for (int j = 0; j < 3; j++) {
                cfg.add("server." + (j + 1) + "=127.0.0.1:" + peer[j] + ":" + election[j]);
            }
            Path file = home.resolve("zoo.cfg");
            Files.write(file, cfg);
            ChildJvm jvm = new ChildJvm("zk-" + id,
                    List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                            "-Dzookeeper.forceSync=no", "-Dzookeeper.admin.enableServer=false",
                            "-cp", System.getProperty("java.class.path")),
                    List.of("org.apache.zookeeper.server.quorum.QuorumPeerMain", file.toAbsolutePath().toString()),
                    home.resolve("server.log"));
            servers.add(new Server(id, client[i], jvm));
        }
        QuorumProcesses quorum = new QuorumProcesses(List.copyOf(servers));
        try {
            for (Server s : servers) {
                s.jvm().start();
            }
            quorum.awaitServing(START_TIMEOUT);
        } catch (IOException | RuntimeException | Error e) {
            quorum.close();
            throw e;
        }
        return quorum;
    }

    /** @return the three servers, by id */
    List<Server> servers() {
        return servers;
    }

    /** @return the server that answers {@code srvr} as leader now, if any */
    Optional<Server> leader() {
        return servers.stream().filter(Server::leads).findFirst();
    }

    /** @return a server that serves and does not lead, if any */
    Optional<Server> follower() {
        return servers.stream().filter(s -> s.srvr().map(a -> a.contains("Mode: follower")).orElse(false))
                .findFirst();
    }

    /** @return {@code 127.0.0.1:port,...} of the three client ports (a direct client goes around every link) */
    String connectString() {
        return servers.stream().map(s -> "127.0.0.1:" + s.clientPort()).collect(Collectors.joining(","));
    }

    /** Waits until a leader and every running server serve; fails with the servers' logs otherwise. */
    void awaitServing(Duration deadline) {
        try {
            await("a leader, and every running server serving").atMost(deadline)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> leader().isPresent()
                            && servers.stream().filter(s -> s.jvm().alive()).allMatch(s -> s.srvr().isPresent()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder();
            for (Server s : servers) {
                logs.append('\n').append(s.jvm().name()).append(s.jvm().alive() ? " (running) " : " (ended) ")
                        .append(s.jvm().logTail());
            }
            throw new AssertionError("the ensemble did not serve within " + deadline + logs, e);
        }
    }

    @Override
    public void close() {
        for (Server s : servers) {
            s.jvm().close();
        }
    }

    /** @return a loopback port free a moment ago (a server, replica or link of the run takes it next) */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
