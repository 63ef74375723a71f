package io.zktenantproxy.proxy.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zktenantproxy.proxy.it.OldEnsemble;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The proxy with the non-Java ZooKeeper clients of issue 15, go-zookeeper, node-zookeeper-client, the ZooKeeper C
 * client and kazoo: each runs its scenario program ({@code src/test/compat/<lang>}) through the proxy against a real
 * ZooKeeper, and the proxy is restarted on the same port in the middle of it (the ensemble keeps the session). A
 * {@link WireRelay} in front of the proxy records what each client put on the wire and what it got back, checked
 * against the client's {@link Expected}: the ConnectRequest with or without the optional readOnly byte, the
 * ConnectResponse the same way (the C client reads a fixed 4 + 37 bytes), and whether the client re-sends its
 * watches (setWatches, 101) after reconnecting. kazoo 2.8 does not: its scenario says so and the test expects it.
 *
 * <p>A missing toolchain skips the test, saying what is missing; with {@code CI=true} it fails instead.
 */
class ExternalClientsIT {
    private static final String TENANT = "compat";
    /** The steps every scenario prints, in order ({@code CUT} is where the proxy restarts). */
    private static final List<String> STEPS = List.of("connect", "create", "watches", "multi", "badversion", "CUT",
            "resume", "resume-watch", "expiry", "fresh-session", "done");
    /** Whole scenario, proxy restart included, on a loaded 2-core CI machine. */
    private static final long SCENARIO_SECONDS = 180;
    private static final int OP_SET_WATCHES = 101;
    /** {@code ConnectResponse{int, int, long, buffer passwd}} with ZooKeeper's 16-byte password, no readOnly byte. */
    private static final int CONNECT_RESPONSE_BYTES = 4 + 4 + 8 + 4 + 16;

    /**
     * What a client does, as seen on this machine's versions.
     *
     * @param resumeWatch the detail of its {@code ok resume-watch} line
     * @param readOnlyByte whether its ConnectRequest ends with the optional readOnly byte (then the server's
     *     ConnectResponse has one too)
     * @param resendsWatches whether it sends setWatches (101) when it resumes its session
     */
    private record Expected(String resumeWatch, boolean readOnlyByte, boolean resendsWatches) {
    }

    private static Expected expected(ExternalClient client) {
        String changed = "/compat-" + client.lang() + "/new";
        return switch (client) {
            case GO -> new Expected("EventNodeDataChanged " + changed, false, true);
            case NODE -> new Expected("NODE_DATA_CHANGED " + changed, false, true);
            case C -> new Expected("ZOO_CHANGED_EVENT " + changed, true, true);
            // kazoo 2.8 has no setWatches: it fires its watchers with NONE at the disconnection and forgets them
            case KAZOO -> new Expected("not-resent (the watcher got one NONE event at the disconnection, then "
                    + "nothing)", true, false);
        };
    }

    @TempDir
    Path work;

    /** The ensemble: an in-JVM 3.9.5 {@code TestingServer}, or an {@link OldEnsemble} of a given release. */
    private AutoCloseable server;
    private String upstreamConnect;
    private ProxyServer proxy;
    private WireRelay relay;
    private int proxyPort;

    /**
     * @param ensemble the server release, or null for the test class path's 3.9.5 in this JVM
     */
    private void start(String ensemble) throws Exception {
        if (ensemble == null) {
            TestingServer testing = Upstreams.server();
            server = testing;
            upstreamConnect = testing.getConnectString();
        } else {
            OldEnsemble old = OldEnsemble.start(ensemble, work.resolve(ensemble));
            server = old;
            upstreamConnect = old.connectString();
        }
        proxyPort = ProxyHarness.freePort();
        proxy = ProxyHarness.proxyOnPort(upstreamConnect, TENANT, proxyPort, List.of());
        relay = WireRelay.start(proxyPort);
    }

    @AfterEach
    void stop() throws Exception {
        if (relay != null) {
            relay.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * Each client against the in-JVM 3.9.5 server; with {@code -Pcompat-matrix} ({@link CompatMatrix#PROPERTY}
     * {@code full}) also against every {@link CompatMatrix#ENSEMBLES} release in a JVM of its own.
     */
    static Stream<Arguments> cells() {
        List<Arguments> cells = new ArrayList<>();
        boolean full = "full".equals(System.getProperty(CompatMatrix.PROPERTY));
        for (ExternalClient client : ExternalClient.values()) {
            cells.add(Arguments.of(client, null));
            if (full) {
                CompatMatrix.ENSEMBLES.forEach(release -> cells.add(Arguments.of(client, release)));
            }
        }
        return cells.stream();
    }

    @ParameterizedTest(name = "{0} on ZooKeeper {1}")
    @MethodSource("cells")
    void scenarioThroughTheProxy(ExternalClient client, String ensemble) throws Exception {
        start(ensemble);
        List<String> command = commandOrSkip(client, "127.0.0.1:" + relay.port());
        List<String> transcript = runScenario(client, command);
        String lang = client.lang();
        String shown = client + " transcript:\n" + String.join("\n", transcript);

        assertEquals(STEPS, transcript.stream().map(ExternalClientsIT::step).collect(Collectors.toList()), shown);
        // 1, not 0: a sequential name counts the parent's child changes, and eph was created first
        assertEquals("ok create seq=/compat-" + lang + "/seq-0000000001", transcript.get(1), shown);
        assertEquals("ok resume-watch " + expected(client).resumeWatch(), transcript.get(7), shown);

        System.out.println(shown); // the transcript is the compatibility record: keep it in the test output
        assertUpstreamTree(lang);
        assertWire(client, sessionOf(transcript.get(0)), shown);
    }

    /** Everything the tenant created lives under its chroot, nothing at the tenant's paths on the ensemble. */
    private void assertUpstreamTree(String lang) throws Exception {
        try (ZooKeeper upstream = ProxyHarness.upstream(upstreamConnect)) {
            String chrooted = "/tenants/" + TENANT + "/compat-" + lang;
            assertNotNull(upstream.exists(chrooted, false), chrooted);
            // eph went with its session, never with the failed multi
            assertEquals(List.of("new", "seq-0000000001"),
                    new ArrayList<>(new TreeSet<>(upstream.getChildren(chrooted, false))));
            assertNull(upstream.exists("/compat-" + lang, false), "/compat-" + lang + " outside the chroot");
        }
    }

    /**
     * The handshake of every connection with the readOnly byte both ways or neither, as the client's
     * {@link Expected} says (false when present: no client asked for a read-only session, no server is one), and
     * setWatches (101) on the connections that resumed the session if the client re-sends watches, none otherwise.
     */
    private void assertWire(ExternalClient client, long session, String shown) {
        Expected expected = expected(client);
        List<WireRelay.Connection> connections = relay.connections().stream()
                .filter(c -> c.connectRequest() != null && c.connectResponse() != null).collect(Collectors.toList());
        // first session, its resume after the cut, the second connection of the expiry step, the fresh session
        assertTrue(connections.size() >= 4, "handshakes seen: " + connections.size() + "\n" + shown);
        int readOnlyBytes = expected.readOnlyByte() ? 1 : 0;
        for (WireRelay.Connection c : connections) {
            assertEquals(readOnlyBytes, c.requestTrailingBytes(), client + " readOnly bytes in its ConnectRequest");
            assertEquals(readOnlyBytes, c.responseTrailingBytes(), client + " readOnly bytes in its ConnectResponse");
            // the C client reads exactly 4 + 37 bytes, whatever the length says: the body must be 37 for it
            assertEquals(CONNECT_RESPONSE_BYTES + readOnlyBytes, c.connectResponse().length,
                    client + " ConnectResponse body length");
            if (expected.readOnlyByte()) {
                assertEquals(0, last(c.connectRequest()), client + " asked for a read-only session");
                assertEquals(0, last(c.connectResponse()), client + " was told the server is read-only");
            }
        }
        List<WireRelay.Header> resent = connections.stream()
                .filter(c -> c.requestedSession() == session)
                .flatMap(c -> c.requests().stream())
                .filter(h -> h.type() == OP_SET_WATCHES)
                .collect(Collectors.toList());
        String hex = Long.toHexString(session);
        if (expected.resendsWatches()) {
            assertFalse(resent.isEmpty(), client + " sent no setWatches after resuming 0x" + hex);
        } else {
            assertEquals(List.of(), resent, client + " sent setWatches after resuming 0x" + hex);
        }
        System.out.printf("%s: %d handshakes, %s; ConnectResponse frames 4+%d bytes; setWatches re-sent: %s%n",
                client, connections.size(), expected.readOnlyByte() ? "readOnly byte both ways" : "no readOnly byte",
                CONNECT_RESPONSE_BYTES + readOnlyBytes, resent.isEmpty() ? "none" : resent);
    }

    private static int last(byte[] body) {
        return body[body.length - 1];
    }

    /** Runs the program, restarting the proxy on the same port at CUT; returns its stdout lines. */
    private List<String> runScenario(ExternalClient client, List<String> command) throws Exception {
        Path log = ExternalClient.buildDir().resolve(client.lang() + "-stderr.log");
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).directory(client.sources().toFile())
                .redirectError(log.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        String end = "\u0000end";
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ-ERROR " + e);
            } finally {
                lines.add(end);
            }
        }, "compat-" + client.lang() + "-stdout");
        reader.setDaemon(true);
        reader.start();
        List<String> transcript = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SCENARIO_SECONDS);
        try (Writer stdin = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            while (true) {
                String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail(client + " did not finish within " + SCENARIO_SECONDS + " s; so far:\n"
                            + String.join("\n", transcript) + "\nstderr: " + log);
                }
                if (line.equals(end)) {
                    break;
                }
                transcript.add(line);
                if (line.equals("CUT")) {
                    // A new proxy instance on the same port; the ensemble keeps the session meanwhile.
                    proxy.close();
                    proxy = ProxyHarness.proxyOnPort(upstreamConnect, TENANT, proxyPort, List.of());
                    stdin.write("go\n");
                    stdin.flush();
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), client + " did not exit");
            assertEquals(0, p.exitValue(), client + " exit status; transcript:\n" + String.join("\n", transcript)
                    + "\nstderr:\n" + Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
        return transcript;
    }

    private static List<String> commandOrSkip(ExternalClient client, String connectString) throws Exception {
        String missing = client.missing();
        if (missing == null) {
            try {
                return client.command(connectString);
            } catch (ExternalClient.ToolchainException e) {
                missing = e.getMessage();
            }
        }
        String message = client + " cannot run: " + missing + "; " + client.install();
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
        throw new AssertionError("unreachable");
    }

    /** {@code ok <step> ...} is the step, {@code CUT} itself, anything else (a FAIL) the whole line. */
    private static String step(String line) {
        if (line.startsWith("ok ")) {
            int space = line.indexOf(' ', 3);
            return space < 0 ? line.substring(3) : line.substring(3, space);
        }
        return line;
    }

    private static long sessionOf(String connectLine) {
        String hex = connectLine.substring(connectLine.indexOf("session=0x") + "session=0x".length()).trim();
        return Long.parseUnsignedLong(hex, 16);
    }
}
