package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.PemFiles;
import io.zktenantproxy.proxy.tls.TestCa;
import io.zktenantproxy.proxy.tls.TlsClients;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The shaded jar {@code target/zk-tenant-proxy.jar} (built at {@code package}, before Failsafe runs) as operators run
 * it: a separate JVM, sidecar flags, {@code --config FILE} or no upstream at all (embedded ZooKeeper), serving real
 * clients, stopped by SIGTERM
 * ({@link Process#destroy()}) within a bound with exit code 0 or 143 (128 + SIGTERM). Also the usage text and the
 * refusal of an invalid configuration (exit 2, one message per error). Each process's output goes to
 * {@code target/fatjar-<test>.log}.
 */
class FatJarIT {
    /** JVM start-up on a busy machine included. */
    private static final Duration START_BOUND = Duration.ofSeconds(90);
    /** ProxyServer.SHUTDOWN_BOUND plus JVM teardown on a busy machine. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(30);

    private static Path jar;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void findJar() {
        jar = Path.of("target", "zk-tenant-proxy.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), jar + " is missing: run through 'mvn verify' (the shade plugin builds it"
                + " at package)");
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    private Process launch(Path log, String... args) throws IOException {
        return launch(List.of(), log, args);
    }

    /**
     * The jar with {@code jvmArgs} before {@code -jar}. The suite's transport ({@code zktp.transport}, set when the ITs
     * run on a named transport) goes to the child too, so that it runs on the same transport as the rest.
     */
    private Process launch(List<String> jvmArgs, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String transport = System.getProperty("zktp.transport");
        if (transport != null && !transport.isBlank()) {
            command.add("-Dzktp.transport=" + transport);
        }
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(log.getParent().toFile())
                .start();
        processes.add(p);
        return p;
    }

    private static Path log(TestInfo info) {
        return Path.of("target", "fatjar-" + info.getTestMethod().orElseThrow().getName() + ".log").toAbsolutePath();
    }

    /** Waits until {@code port} accepts connections, failing early (with the log) if the process exits. */
    private static void awaitListening(Process p, int port, Path log) {
        await().atMost(START_BOUND).until(() -> {
            if (!p.isAlive()) {
                fail("proxy exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** SIGTERM, then the process must be gone within the bound with 0 or 143; its clients are disconnected. */
    private static void stopWithSigterm(Process p, Path log, Events... clients) throws Exception {
        long start = System.nanoTime();
        p.destroy();
        assertTrue(p.waitFor(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS),
                "still running " + STOP_BOUND + " after SIGTERM:\n" + Files.readString(log));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        int code = p.exitValue();
        assertTrue(code == 0 || code == 143, "exit code " + code + " after " + took + ":\n" + Files.readString(log));
        System.out.println("proxy process exited with " + code + " " + took.toMillis() + " ms after SIGTERM");
        for (Events e : clients) {
            e.awaitState(KeeperState.Disconnected);
        }
        String output = Files.readString(log);
        assertTrue(output.contains("shutting down"), output);
        assertTrue(output.contains("zk-tenant-proxy stopped"), output);
    }

    @Test
    void sidecarFlags(TestInfo info) throws Exception {
        Path log = log(info);
        try (TestingServer server = Upstreams.server();
             TestClient root = ProxyHarness.connect(server.getConnectString(), new Events())) {
            int port = ProxyHarness.freePort();
            Process p = launch(log, "--listen", "127.0.0.1:" + port, "--upstream", server.getConnectString(),
                    "--tenant", "t", "--admin", "off");
            awaitListening(p, port, log);
            Events events = new Events();
            try (TestClient client = ProxyHarness.connect("127.0.0.1:" + port, events)) {
                client.create("/x", "sidecar".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
                assertArrayEquals("sidecar".getBytes(StandardCharsets.UTF_8),
                        root.getData("/tenants/t/x", false, null));
                assertEquals(List.of("x"), client.getChildren("/", false));
                // a tenant listening on a fixed address advertises it as /zookeeper/config
                assertEquals(List.of("127.0.0.1:" + port),
                        ZooKeeperApiIT.clientAddresses(client.getConfig(false, null)));
                stopWithSigterm(p, log, events);
            }
        }
    }

    /**
     * The sidecar with {@code --tls-cert}/{@code --tls-key}/{@code --tls-client-ca}: OpenSSL loads from the fat jar
     * (the start-up line says so), a client with the tenant's certificate works over TLS, and SIGHUP reloads the
     * certificates.
     */
    @Test
    void sidecarWithMutualTlsOnOpenSslAndSighup(TestInfo info) throws Exception {
        Path log = log(info);
        Path dir = Files.createTempDirectory(log.getParent(), "fatjar-tls");
        TestCa ca = TestCa.create("tenants CA");
        Path caPem = ca.writeCertPem(dir.resolve("ca.pem"));
        PemFiles server = ca.issue(CertSpec.server()).writePem(dir, "server");
        Path client = ca.issue(CertSpec.client("t")).writeCombinedPem(dir.resolve("t.pem"));
        try (TestingServer upstream = Upstreams.server()) {
            int port = ProxyHarness.freePort();
            Process p = launch(log, "--listen", "127.0.0.1:" + port, "--upstream", upstream.getConnectString(),
                    "--tenant", "t", "--admin", "off", "--tls-cert", server.cert().toString(), "--tls-key",
                    server.key().toString(), "--tls-client-ca", caPem.toString());
            awaitListening(p, port, log);
            // the start-up line comes once every listener is bound, a moment after this one accepts
            await().atMost(START_BOUND).until(() -> Files.readString(log).contains("zk-tenant-proxy listening"));
            assertTrue(Files.readString(log).contains("listener TLS on openssl"), Files.readString(log));
            try (ZooKeeper zk = TlsClients.connect("localhost:" + port, TlsClients.zkClientConfig(caPem, client))) {
                zk.create("/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start().waitFor();
                await().atMost(START_BOUND).until(() -> Files.readString(log)
                        .contains("tenant listeners' TLS reloaded"));
                assertTrue(p.isAlive(), Files.readString(log));
                assertTrue(zk.exists("/x", false) != null);
            }
            p.destroy();
            assertTrue(p.waitFor(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS), Files.readString(log));
        }
    }

    @Test
    void configFileWithTwoTenants(TestInfo info) throws Exception {
        Path log = log(info);
        try (TestingServer server = Upstreams.server();
             TestClient root = ProxyHarness.connect(server.getConnectString(), new Events())) {
            int portA = ProxyHarness.freePort();
            int portB = ProxyHarness.freePort();
            Path config = Path.of("target", "fatjar-two-tenants.yaml").toAbsolutePath();
            Files.writeString(config, String.join("\n",
                    "upstream: " + server.getConnectString(),
                    "limits:",
                    "  maxInFlight: 500",
                    "tenants:",
                    "  - name: payments",
                    "    listen: 127.0.0.1:" + portA,
                    "  - name: fraud",
                    "    chroot: /platform/fraud",
                    "    listen: 127.0.0.1:" + portB,
                    "    advertised: [proxy-a.example:7462, proxy-b.example:7462]",
                    ""));
            Process p = launch(log, "--config", config.toString());
            awaitListening(p, portA, log);
            awaitListening(p, portB, log);
            Events eventsA = new Events();
            Events eventsB = new Events();
            try (TestClient a = ProxyHarness.connect("127.0.0.1:" + portA, eventsA);
                 TestClient b = ProxyHarness.connect("127.0.0.1:" + portB, eventsB)) {
                a.create("/same", "A".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
                b.create("/same", "B".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        CreateMode.PERSISTENT);
                assertArrayEquals("A".getBytes(StandardCharsets.UTF_8), a.getData("/same", false, null));
                assertArrayEquals("B".getBytes(StandardCharsets.UTF_8), b.getData("/same", false, null));
                assertArrayEquals("A".getBytes(StandardCharsets.UTF_8),
                        root.getData("/tenants/payments/same", false, null));
                assertArrayEquals("B".getBytes(StandardCharsets.UTF_8),
                        root.getData("/platform/fraud/same", false, null));
                String configB = new String(b.getConfig(false, null), StandardCharsets.UTF_8);
                assertTrue(configB.contains(";proxy-a.example:7462") && configB.contains(";proxy-b.example:7462"),
                        configB);

                // a third tenant added to the file, then SIGHUP: applied live, the two others untouched
                int portC = ProxyHarness.freePort();
                Files.writeString(config, Files.readString(config) + String.join("\n",
                        "  - name: late",
                        "    listen: 127.0.0.1:" + portC,
                        ""));
                new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).inheritIO().start().waitFor();
                awaitListening(p, portC, log);
                await().atMost(START_BOUND).until(() -> Files.readString(log).contains("reload applied"));
                assertTrue(Files.readString(log).contains("SIGHUP: reloading certificates and the configuration"));
                assertArrayEquals("A".getBytes(StandardCharsets.UTF_8), a.getData("/same", false, null));
                assertFalse(eventsA.states().contains(KeeperState.Disconnected), eventsA.states().toString());
                stopWithSigterm(p, log, eventsA, eventsB);
            }
        }
    }

    /** The README's run command: no upstream, so the jar starts a real embedded ZooKeeper under --data-dir. */
    @Test
    void withoutAnUpstreamItRunsOnAnEmbeddedZooKeeper(TestInfo info) throws Exception {
        Path log = log(info);
        Path dataDir = Path.of("target", "fatjar-embedded-data").toAbsolutePath();
        deleteTree(dataDir); // a fresh ZooKeeper each run: /embedded must not exist yet
        int port = ProxyHarness.freePort();
        int zkPort = ProxyHarness.freePort();
        Process p = launch(log, "--listen", "127.0.0.1:" + port, "--admin", "off",
                "--embedded-port", Integer.toString(zkPort), "--data-dir", dataDir.toString());
        awaitListening(p, port, log);
        Events events = new Events();
        try (TestClient client = ProxyHarness.connect("127.0.0.1:" + port, events);
             TestClient root = ProxyHarness.connect("127.0.0.1:" + zkPort, new Events())) {
            client.create("/embedded", "e".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT);
            assertArrayEquals("e".getBytes(StandardCharsets.UTF_8),
                    root.getData("/tenants/default/embedded", false, null));
            stopWithSigterm(p, log, events);
        }
        assertTrue(Files.isDirectory(dataDir), "ZooKeeper's data lies under --data-dir");
    }

    /**
     * A transport named with {@code --transport} must start or the proxy does not: with the native transports disabled
     * ({@code io.netty.transport.noNative}, as a seccomp profile that refuses {@code io_uring_setup} would), io_uring
     * and epoll by name exit 2 with the reason, while {@code auto} runs on NIO and logs once what it passed over and
     * why. {@code transports} lists the same.
     */
    @Test
    void aNamedTransportThatCannotStartIsRefusedAndAutoFallsBackSayingWhy(TestInfo info) throws Exception {
        Path log = log(info);
        List<String> noNative = List.of("-Dio.netty.transport.noNative=true");
        for (String named : List.of("io_uring", "epoll")) {
            Path namedLog = log.resolveSibling("fatjar-transport-" + named + ".log");
            Process p = launch(noNative, namedLog, "--transport", named, "--listen",
                    "127.0.0.1:" + ProxyHarness.freePort(), "--upstream", "127.0.0.1:1", "--admin", "off");
            assertTrue(p.waitFor(START_BOUND.toMillis(), TimeUnit.MILLISECONDS), "still running on " + named);
            String output = Files.readString(namedLog);
            assertEquals(2, p.exitValue(), output);
            assertTrue(output.contains("error: transport " + named + " cannot start on this machine: "), output);
            assertTrue(output.contains("noNative"), "the reason is not given:\n" + output);
        }
        Path listLog = log.resolveSibling("fatjar-transports.log");
        Process list = launch(noNative, listLog, "transports");
        assertTrue(list.waitFor(START_BOUND.toMillis(), TimeUnit.MILLISECONDS));
        String listed = Files.readString(listLog);
        assertEquals(0, list.exitValue(), listed);
        assertTrue(listed.contains("io_uring unavailable: Native transport was explicit"), listed);
        assertTrue(listed.contains("epoll unavailable: Native transport was explicit"), listed);
        assertTrue(listed.contains("nio available"), listed);
        assertTrue(listed.contains("auto nio"), listed);
        try (TestingServer server = Upstreams.server()) {
            int port = ProxyHarness.freePort();
            Process p = launch(noNative, log, "--transport", "auto", "--listen", "127.0.0.1:" + port, "--upstream",
                    server.getConnectString(), "--tenant", "t", "--admin", "off");
            awaitListening(p, port, log);
            try (TestClient client = ProxyHarness.connect("127.0.0.1:" + port, new Events())) {
                client.create("/on-nio", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            String output = Files.readString(log);
            assertTrue(output.contains("transport nio"), output);
            assertEquals(1, output.lines().filter(l -> l.contains("transport auto runs on nio, having passed over "
                    + "io_uring: ") && l.contains("; epoll: ")).count(), output);
            stopWithSigterm(p, log);
        }
    }

    @Test
    void helpPrintsUsage(TestInfo info) throws Exception {
        Path log = log(info);
        Process p = launch(log, "--help");
        assertTrue(p.waitFor(START_BOUND.toMillis(), TimeUnit.MILLISECONDS));
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("Usage: zk-tenant-proxy"), output);
        for (String option : List.of("--listen", "--upstream", "--tenant", "--chroot", "--advertised", "--admin",
                "--config", "check-config")) {
            assertTrue(output.contains(option), option + " missing from:\n" + output);
        }
        assertTrue(output.contains("0.0.0.0:7451"), "the default listen address is not shown:\n" + output);
    }

    @Test
    void anInvalidConfigExitsWith2AndOneMessagePerError(TestInfo info) throws Exception {
        Path log = log(info);
        Path config = Path.of("target", "fatjar-invalid.yaml").toAbsolutePath();
        Files.writeString(config, String.join("\n",
                "upstream: 127.0.0.1:2181",
                "limits:",
                "  maxInFlight: 0",
                "tenants:",
                "  - name: ok",
                "    chroot: relative/path",
                "    listen: 127.0.0.1:17461",
                "  - name: \"bad name!\"",
                "    listen: nope",
                ""));
        Process p = launch(log, "--config", config.toString());
        assertTrue(p.waitFor(START_BOUND.toMillis(), TimeUnit.MILLISECONDS));
        String output = Files.readString(log);
        assertEquals(2, p.exitValue(), output);
        List<String> errors = output.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(4, errors.size(), output);
        for (String field : List.of("limits.maxInFlight", "tenants[0].chroot", "tenants[1].name",
                "tenants[1].listen")) {
            assertEquals(1, errors.stream().filter(e -> e.contains(field)).count(), field + " in:\n" + output);
        }
        assertEquals(errors.size(), output.lines().filter(l -> !l.isBlank()).count(),
                "only the error lines are printed:\n" + output);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
