package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A standalone ZooKeeper server of another version than the test class path's, in a JVM of its own: {@code java -cp
 * <jars>/* org.apache.zookeeper.server.ZooKeeperServerMain zoo.cfg}, the jars being the folder the
 * maven-dependency-plugin execution {@code old-zookeeper-servers} fills ({@code target/old-servers/<version>}, system
 * property {@value #JARS_PROPERTY} under Failsafe). Configured as {@link Upstreams} configures the embedded servers:
 * no per-address connection limit, no admin server, every four-letter word whitelisted, TTL and container nodes
 * ({@code zookeeper.extendedTypesEnabled}).
 *
 * <p>The server's stdout and stderr go to {@code server.log} in the work folder; a server that does not answer
 * {@code srvr} within {@link #START_TIMEOUT}, or whose process ends first, fails {@link #start} with the log's tail.
 * The data folder is {@code data} in the work folder, so a fresh folder is a fresh ensemble.
 */
public final class OldEnsemble implements AutoCloseable {
    /** The system property naming the folder that holds one folder of jars per version. */
    public static final String JARS_PROPERTY = "oldServers.dir";
    /** Longest wait for a server to answer {@code srvr} after its JVM is launched. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 40;

    private final String version;
    private final Process process;
    private final Path log;
    private final int port;
    private final Thread reaper;

    private OldEnsemble(String version, Process process, Path log, int port) {
        this.version = version;
        this.process = process;
        this.log = log;
        this.port = port;
        this.reaper = new Thread(process::destroyForcibly, "old-zookeeper-" + version + "-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * @return the folder of jars of server {@code version}
     * @throws IllegalStateException if it holds no jars (the Maven execution did not run)
     */
    public static Path jars(String version) throws IOException {
        Path dir = Path.of(System.getProperty(JARS_PROPERTY, "target/old-servers")).resolve(version);
        boolean any;
        try (var files = Files.list(dir)) {
            any = files.anyMatch(f -> f.toString().endsWith(".jar"));
        } catch (java.nio.file.NoSuchFileException e) {
            any = false;
        }
        if (!any) {
            throw new IllegalStateException("no jars in " + dir.toAbsolutePath()
                    + " (the maven-dependency-plugin execution old-zookeeper-servers fills it)");
        }
        return dir;
    }

    /**
     * Launches server {@code version} on a free loopback port and waits until it answers {@code srvr}.
     *
     * @param version the server version, also the folder under {@value #JARS_PROPERTY} ({@code "3.5.10"})
     * @param workDir where {@code zoo.cfg}, {@code data/} and {@code server.log} go; created if missing
     * @return the running server; {@link #close} it
     * @throws AssertionError if the server does not answer within {@link #START_TIMEOUT} or its process ends, with
     *     the exit code and the log's tail
     */
    public static OldEnsemble start(String version, Path workDir) throws IOException {
        return start(version, workDir, freePort());
    }

    /**
     * {@link #start(String, Path)} on a given port: a server of another release started on the work folder and port
     * of a stopped one is that ensemble upgraded in place (its data and sessions kept, clients reconnect to it).
     */
    public static OldEnsemble start(String version, Path workDir, int port) throws IOException {
        Path jars = jars(version);
        Path data = Files.createDirectories(workDir.resolve("data"));
        Path cfg = workDir.resolve("zoo.cfg");
        Files.writeString(cfg, String.join("\n",
                "tickTime=2000",
                "dataDir=" + data.toAbsolutePath(),
                "clientPort=" + port,
                "clientPortAddress=127.0.0.1",
                "maxClientCnxns=0",
                "admin.enableServer=false",
                "4lw.commands.whitelist=*",
                ""), StandardCharsets.UTF_8);
        Path log = workDir.resolve("server.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dzookeeper.extendedTypesEnabled=true",
                // 3.4 registers log4j 1's JMX beans unless told not to, and log4j 1 is not on its class path
                "-Dzookeeper.jmx.log4j.disable=true",
                "-cp", jars.toAbsolutePath() + "/*",
                "org.apache.zookeeper.server.ZooKeeperServerMain", cfg.toAbsolutePath().toString())
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        OldEnsemble ensemble = new OldEnsemble(version, process, log, port);
        try {
            await("ZooKeeper " + version + " answering srvr on port " + port)
                    .atMost(START_TIMEOUT)
                    .pollInterval(Duration.ofMillis(100))
                    .until(ensemble::answersSrvr);
        } catch (ConditionTimeoutException e) {
            ensemble.close();
            throw new AssertionError("ZooKeeper " + version + " did not answer srvr on port " + port + " within "
                    + START_TIMEOUT + "; " + ensemble.logTail(), e);
        } catch (RuntimeException | Error e) {
            ensemble.close();
            throw e;
        }
        return ensemble;
    }

    /** @return {@code "127.0.0.1:port"} */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /** @return the client port on the loopback address */
    public int port() {
        return port;
    }

    /** @return the version {@link #start} was given */
    public String version() {
        return version;
    }

    /** @return the server's whole answer to {@code srvr} ({@code "Zookeeper version: 3.5.10-..."}) */
    public String srvr() throws IOException {
        return Upstreams.fourLetterWord("127.0.0.1", port, "srvr");
    }

    /** @return the server's stdout and stderr so far */
    public Path log() {
        return log;
    }

    /** Stops the server: SIGTERM, then SIGKILL if it has not ended within 10 seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs anyway
        }
    }

    /** Polled by {@link #start}: true once a {@code srvr} answer names a version; fails at once if the JVM ended. */
    private boolean answersSrvr() {
        if (!process.isAlive()) {
            throw new AssertionError("ZooKeeper " + version + " exited with " + process.exitValue() + " before it "
                    + "answered srvr; " + logTail());
        }
        try {
            return srvr().startsWith("Zookeeper version:");
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> tail = new ArrayList<>(lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES),
                    lines.size()));
            return "last " + tail.size() + " lines of " + log + ":\n" + String.join("\n", tail);
        } catch (IOException | UncheckedIOException e) {
            return "its log " + log + " is unreadable: " + e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
