package io.zktenantproxy.proxy.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped artifact: {@code proxy/target/zk-tenant-proxy.jar} (built by the shade plugin at {@code package},
 * before Failsafe runs) started as a process, serving a real client in sidecar mode and in shared mode, and stopped
 * by SIGTERM within {@code ProxyServer.SHUTDOWN_BOUND} plus JVM exit.
 */
class FatJarIT {
    private static final Path JAR = Path.of("target", "zk-tenant-proxy.jar");

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Process start(String... args) throws IOException {
        assertTrue(Files.exists(JAR), "the fat jar is built at package: " + JAR.toAbsolutePath());
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                JAR.toAbsolutePath().toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("proxy-" + System.nanoTime() + ".log").toFile()).start();
    }

    private static void awaitListening(int port) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** SIGTERM (Process.destroy) ends the process promptly with the JVM's signal exit code or 0. */
    private static void stopWithSigterm(Process process) throws InterruptedException {
        process.destroy();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "exited within 30 s of SIGTERM");
        int code = process.exitValue();
        assertTrue(code == 0 || code == 143, "exit code after SIGTERM: " + code);
    }

    private static void createThroughProxy(int port, String path) throws Exception {
        ZooKeeper zk = ProxyHarness.connect("127.0.0.1:" + port, (Watcher) null);
        try {
            zk.create(path, "x".getBytes(StandardCharsets.UTF_8), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        } finally {
            zk.close();
        }
    }

    @Test
    void sidecarFlagsServeATenantAndSigtermStopsIt() throws Exception {
        try (TestingServer zkServer = Upstreams.server()) {
            int port = freePort();
            Process proxy = start("--listen", "127.0.0.1:" + port, "--upstream", zkServer.getConnectString(),
                    "--tenant", "sidecar", "--admin", "off");
            try {
                awaitListening(port);
                createThroughProxy(port, "/hello");
                ZooKeeper direct = ProxyHarness.connect(zkServer.getConnectString(), (Watcher) null);
                try {
                    assertNotNull(direct.exists("/tenants/sidecar/hello", false));
                } finally {
                    direct.close();
                }
                stopWithSigterm(proxy);
            } finally {
                proxy.destroyForcibly();
            }
        }
    }

    /** The README's run command: no upstream, so the jar starts a real embedded ZooKeeper under --data-dir. */
    @Test
    void withoutAnUpstreamItRunsOnAnEmbeddedZooKeeper() throws Exception {
        int port = freePort();
        int zkPort = freePort();
        Process proxy = start("--listen", "127.0.0.1:" + port, "--admin", "off", "--embedded-port",
                Integer.toString(zkPort), "--data-dir", dir.resolve("data").toString());
        try {
            awaitListening(port);
            createThroughProxy(port, "/embedded");
            ZooKeeper direct = ProxyHarness.connect("127.0.0.1:" + zkPort, (Watcher) null);
            try {
                assertNotNull(direct.exists("/tenants/default/embedded", false));
            } finally {
                direct.close();
            }
            stopWithSigterm(proxy);
            assertTrue(Files.isDirectory(dir.resolve("data")), "ZooKeeper's data lies under --data-dir");
        } finally {
            proxy.destroyForcibly();
        }
    }

    @Test
    void aConfigFileServesEveryTenantOnItsOwnPort() throws Exception {
        try (TestingServer zkServer = Upstreams.server()) {
            int a = freePort();
            int b = freePort();
            int admin = freePort();
            Path config = dir.resolve("proxy.yaml");
            Files.writeString(config, String.join("\n",
                    "upstream: " + zkServer.getConnectString(),
                    "admin: {listen: 127.0.0.1:" + admin + "}",
                    "tenants:",
                    "  - {name: alpha, listen: 127.0.0.1:" + a + "}",
                    "  - {name: beta, chroot: /platform/beta, listen: 127.0.0.1:" + b + "}",
                    ""));
            Process proxy = start("--config", config.toString());
            try {
                awaitListening(a);
                awaitListening(b);
                createThroughProxy(a, "/same");
                createThroughProxy(b, "/same");
                ZooKeeper direct = ProxyHarness.connect(zkServer.getConnectString(), (Watcher) null);
                try {
                    assertNotNull(direct.exists("/tenants/alpha/same", false));
                    assertNotNull(direct.exists("/platform/beta/same", false));
                } finally {
                    direct.close();
                }
                stopWithSigterm(proxy);
            } finally {
                proxy.destroyForcibly();
            }
        }
    }

    @Test
    void helpAndAnInvalidConfigAnswerWithoutStarting() throws Exception {
        Process help = start("--help");
        assertTrue(help.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, help.exitValue());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, String.join("\n",
                "upstream: 127.0.0.1:2181",
                "tenants:",
                "  - {name: a, chroot: /tenants/a, listen: 127.0.0.1:17451}",
                "  - {name: b, chroot: /tenants/a/b, listen: 127.0.0.1:17451, colour: red}",
                ""));
        Process invalid = start("--config", bad.toString());
        assertTrue(invalid.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, invalid.exitValue(), "invalid configuration exits 2");
    }
}
