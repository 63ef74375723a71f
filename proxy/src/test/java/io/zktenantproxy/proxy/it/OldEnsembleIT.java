package io.zktenantproxy.proxy.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.UpstreamConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.proto.ConnectResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Old ZooKeeper servers ({@link OldEnsemble}, each in a JVM of its own) as the proxy will meet them upstream: the test
 * class path's ZooKeeper 3.9.5 client works against them directly, {@code srvr} names their version, and each refuses
 * an opcode newer than itself the way issue 15 describes: the reply {@code UNIMPLEMENTED} (-6) for that xid, then
 * the connection is closed by the server. A client that sends {@code addWatch} (3.6+) or {@code whoAmI} (3.7+)
 * through the proxy to such an ensemble would lose its connection; this suite records the behaviour the proxy must
 * shield clients from. One server per version serves every test of the class.
 */
class OldEnsembleIT {
    /** {@code KeeperException.Code.UNIMPLEMENTED}, the err of the answer to an unknown opcode. */
    private static final int UNIMPLEMENTED = -6;

    @TempDir
    static Path work;

    private static final OldEnsembles ENSEMBLES = new OldEnsembles();

    /**
     * One server version and an opcode it does not know.
     *
     * @param version the server version
     * @param unknown a request frame of an opcode newer than the server, with xid {@link #XID}
     * @param name    the opcode's name, for the report
     */
    record Case(String version, byte[] unknown, String name) {
        static final int XID = 7;

        @Override
        public String toString() {
            return version + " " + name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                // addWatch(path "/", mode PERSISTENT 0): AddWatchRequest, ZooKeeper 3.6.0+.
                new Case("3.5.10", RawFrame.request(Case.XID, OpCode.ADD_WATCH.code()).str("/").i(0).frame(),
                        "addWatch(106)"),
                // whoAmI: no body, ZooKeeper 3.7.0+.
                new Case("3.6.4", RawFrame.request(Case.XID, OpCode.WHO_AM_I.code()).frame(), "whoAmI(107)"));
    }

    static Stream<String> versions() {
        return cases().map(Case::version);
    }

    private static OldEnsemble ensemble(String version) throws IOException {
        return ENSEMBLES.get(version, work);
    }

    @AfterAll
    static void stopEnsembles() {
        ENSEMBLES.close();
    }

    @ParameterizedTest(name = "ZooKeeper {0}")
    @MethodSource("versions")
    void srvrNamesTheVersion(String version) throws Exception {
        String srvr = ensemble(version).srvr();
        assertTrue(srvr.startsWith("Zookeeper version: " + version + "-"), srvr);
        assertTrue(srvr.contains("Mode: standalone"), srvr);
    }

    @ParameterizedTest(name = "ZooKeeper {0}")
    @MethodSource("versions")
    void theCurrentJavaClientCreatesAndReads(String version) throws Exception {
        ZooKeeper zk = ProxyHarness.connect(ensemble(version).connectString(), (org.apache.zookeeper.Watcher) null);
        try {
            byte[] data = ("written to " + version).getBytes(StandardCharsets.UTF_8);
            assertEquals("/old-ensemble", zk.create("/old-ensemble", data, ZooDefs.Ids.OPEN_ACL_UNSAFE,
                    CreateMode.PERSISTENT));
            assertArrayEquals(data, zk.getData("/old-ensemble", false, null));
            zk.delete("/old-ensemble", -1);
        } finally {
            zk.close();
        }
    }

    /**
     * A raw session sends one request of an opcode the server does not know: the server answers that xid with
     * {@code UNIMPLEMENTED} and an empty body, then closes the connection in order (FIN, no reset); the session
     * itself lives on (it resumes on a new connection with its id and password). As measured, 3.5.10 and 3.6.4 alike
     * (ZooKeeperServer logs {@code WARN Received packet at server of unknown type N}): the 20 bytes
     * {@code 00000010 00000007 ffffffffffffffff fffffffa}, i.e. length 16, xid 7, zxid -1, err -6, then end of stream.
     */
    @ParameterizedTest(name = "ZooKeeper {0}")
    @MethodSource("cases")
    void anUnknownOpcodeIsAnsweredUnimplementedThenTheConnectionIsClosed(Case c) throws Exception {
        OldEnsemble server = ensemble(c.version());
        ConnectResponse session;
        List<byte[]> frames;
        try (Socket socket = open(server)) {
            socket.getOutputStream().write(JuteFrames.connectRequest());
            DataInputStream in = new DataInputStream(socket.getInputStream());
            session = JuteReader.readFirst(frame(in), new ConnectResponse());
            assertTrue(session.getTimeOut() > 0, "session granted");

            socket.getOutputStream().write(c.unknown());
            frames = framesUntilClosed(in);
        }
        byte[] expected = RawFrame.body().i(Case.XID).l(-1).i(UNIMPLEMENTED).bytes();
        assertEquals(List.of(JuteReader.hex(expected)), JuteReader.hexes(frames),
                "frames after " + c.name() + " until the server closed the connection");

        try (Socket socket = open(server)) {
            socket.getOutputStream().write(JuteFrames.connectRequest(session.getSessionId(), session.getPasswd()));
            ConnectResponse resumed = JuteReader.readFirst(frame(new DataInputStream(socket.getInputStream())),
                    new ConnectResponse());
            assertEquals(session.getSessionId(), resumed.getSessionId());
            assertTrue(resumed.getTimeOut() > 0, "the session survives the closed connection");
            socket.getOutputStream().write(JuteFrames.request(Integer.MAX_VALUE, OpCode.CLOSE_SESSION.code()));
        }
    }

    private static Socket open(OldEnsemble server) throws IOException {
        Socket socket = new Socket();
        socket.setSoTimeout(10_000);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        return socket;
    }

    private static byte[] frame(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > 1 << 20) {
            throw new IOException("frame length " + length);
        }
        return in.readNBytes(length);
    }

    /**
     * Every byte until the server closes the connection in order (FIN; a reset or a read timeout fails the test), cut
     * into frames; a trailing partial frame is kept as it is.
     */
    private static List<byte[]> framesUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        ByteBuffer b = ByteBuffer.wrap(all.toByteArray());
        List<byte[]> frames = new ArrayList<>();
        while (b.remaining() >= Integer.BYTES) {
            int length = b.getInt();
            byte[] f = new byte[Math.min(Math.max(length, 0), b.remaining())];
            b.get(f);
            frames.add(f);
        }
        if (b.hasRemaining()) {
            byte[] rest = new byte[b.remaining()];
            b.get(rest);
            frames.add(rest);
        }
        return frames;
    }

    /**
     * Through the proxy, the same opcode is answered {@code UNIMPLEMENTED} by the proxy (it asked the ensemble its
     * release with {@code srvr} at start) and the client's connection and session go on; the proxy's own client
     * works on the old ensemble too (ready, chroot created, no persistent watch asked of a 3.5 server).
     */
    @ParameterizedTest(name = "ZooKeeper {0}")
    @MethodSource("versions")
    void throughTheProxyTheOpcodeIsUnimplementedAndTheSessionGoesOn(String version) throws Exception {
        OldEnsemble ensemble = ensemble(version);
        try (ProxyServer proxy = ProxyServer.start(ProxyConfig.forUpstream(ensemble.connectString())
                .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:0")))) {
            await().atMost(java.time.Duration.ofSeconds(60)).until(proxy::ready);
            List<Watcher.Event.KeeperState> states = new CopyOnWriteArrayList<>();
            try (ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"),
                    event -> states.add(event.getState()))) {
                long session = zk.getSessionId();
                if (version.startsWith("3.5")) {
                    assertThrows(KeeperException.UnimplementedException.class,
                            () -> zk.addWatch("/", AddWatchMode.PERSISTENT_RECURSIVE));
                } else {
                    // ZooKeeper.whoAmI() does not look at the reply's err: an error gives no client infos
                    assertNull(zk.whoAmI(), "whoAmI answered with an error");
                }
                zk.create("/after", new byte[] {1}, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                assertArrayEquals(new byte[] {1}, zk.getData("/after", false, null));
                assertEquals(session, zk.getSessionId());
                assertFalse(states.contains(Watcher.Event.KeeperState.Disconnected), states.toString());
                zk.delete("/after", -1);
            }
        }
    }

    /**
     * ZooKeeper 3.4.14 starts on Java 17 (with {@code zookeeper.jmx.log4j.disable}), but lacks {@code create2} (its
     * log says {@code unknown type 15} for the proxy's first create): the proxy refuses to start in front of it, naming
     * the release, rather than serve a tenant nothing.
     */
    @org.junit.jupiter.api.Test
    void aZooKeeper34EnsembleIsRefusedAtStart() throws Exception {
        try (OldEnsemble old = OldEnsemble.start("3.4.14", Files.createDirectories(work.resolve("3.4.14")))) {
            assertTrue(old.srvr().startsWith("Zookeeper version: 3.4.14-"), old.srvr());
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> ProxyServer.start(ProxyConfig.forUpstream(old.connectString())
                            .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:0"))).close());
            assertTrue(refused.getMessage().contains("runs ZooKeeper 3.4.14"), refused.getMessage());
        }
    }

    /**
     * A rolling upgrade under a running proxy: the ensemble is 3.5.10, so {@code addWatch} is answered -6 by the
     * proxy; the server is replaced by 3.6.4 on the same data and port; the proxy's periodic {@code srvr} check
     * ({@code upstream.versionCheckMs}, 500 ms here) learns the new release, and the same client session's
     * {@code addWatch} is then forwarded and works, without a proxy restart.
     */
    @org.junit.jupiter.api.Test
    void anUpgradedEnsembleIsLearntWithoutARestart() throws Exception {
        Path dir = Files.createDirectories(work.resolve("upgrade"));
        int port = ProxyHarness.freePort();
        OldEnsemble server = OldEnsemble.start("3.5.10", dir, port);
        try (ProxyServer proxy = ProxyServer.start(ProxyConfig.forUpstream(server.connectString())
                .withUpstream(UpstreamConfig.of(server.connectString()).withVersionCheckMs(500L))
                .withTenants(TenantConfig.named("acme").withListen("127.0.0.1:0")))) {
            await().atMost(java.time.Duration.ofSeconds(60)).until(proxy::ready);
            try (ZooKeeper zk = ProxyHarness.connect(ProxyHarness.connectString(proxy, "acme"), (Watcher) null)) {
                long session = zk.getSessionId();
                assertThrows(KeeperException.UnimplementedException.class,
                        () -> zk.addWatch("/", AddWatchMode.PERSISTENT_RECURSIVE));
                server.close();
                server = OldEnsemble.start("3.6.4", dir, port);
                await("addWatch forwarded once the proxy learnt 3.6.4").atMost(java.time.Duration.ofSeconds(60))
                        .pollInterval(java.time.Duration.ofMillis(200))
                        .ignoreException(KeeperException.UnimplementedException.class)
                        .ignoreException(KeeperException.ConnectionLossException.class)
                        .until(() -> {
                            zk.addWatch("/", AddWatchMode.PERSISTENT_RECURSIVE);
                            return true;
                        });
                assertEquals(session, zk.getSessionId(), "the session went on across the upgrade");
            }
        } finally {
            server.close();
        }
    }
}
