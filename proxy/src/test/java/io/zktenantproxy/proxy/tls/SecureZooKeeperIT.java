package io.zktenantproxy.proxy.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SecureZooKeeper} and {@link TlsClients} against each other: the real ZooKeeper Java client over TLS, with
 * and without a client certificate, and with server certificates for the right and the wrong name. A refusal is
 * observed where it happens, as a failed TLS handshake counted by the server, and the client must not have reached
 * {@code SyncConnected} by then.
 */
class SecureZooKeeperIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] DATA = "over tls".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final TestCa serverCa = TestCa.create("zk server CA");
    private final TestCa clientCa = TestCa.create("zk client CA");

    @Test
    void clientWithCertificateCreatesAndReadsAZnode() throws Exception {
        try (SecureZooKeeper zk = SecureZooKeeper.start(serverCa, serverCa.issue(CertSpec.server()), clientCa, true,
                dir.resolve("zk"))) {
            ZKClientConfig config = TlsClients.zkClientConfig(zk.serverCaPem(), clientPem("flink"));
            for (String host : List.of("localhost", "127.0.0.1")) {
                ZooKeeper client = TlsClients.connect(zk.secureConnectString(host), config);
                try {
                    String path = "/tls-" + host;
                    client.create(path, DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    assertArrayEquals(DATA, client.getData(path, false, null));
                } finally {
                    client.close();
                }
            }
            assertTrue(Files.readString(zk.serverCaPem()).startsWith("-----BEGIN CERTIFICATE-----"));
        }
    }

    @Test
    void rsaKeysWork() throws Exception {
        TestCa rsaServerCa = TestCa.create("rsa server CA", KeyType.RSA_2048);
        TestCa rsaClientCa = TestCa.create("rsa client CA", KeyType.RSA_2048);
        try (SecureZooKeeper zk = SecureZooKeeper.start(rsaServerCa, rsaServerCa.issue(CertSpec.server().rsa()),
                rsaClientCa, true, dir.resolve("zk"))) {
            Path key = rsaClientCa.issue(CertSpec.client("rsa").rsa()).writeCombinedPem(dir.resolve("rsa.pem"));
            ZooKeeper client = TlsClients.connect(zk.secureConnectString(),
                    TlsClients.zkClientConfig(zk.serverCaPem(), key));
            try {
                assertEquals(List.of("zookeeper"), client.getChildren("/", false));
            } finally {
                client.close();
            }
        }
    }

    @Test
    void withoutAnAcceptedClientCertificateNoSession() throws Exception {
        try (SecureZooKeeper zk = SecureZooKeeper.start(serverCa, serverCa.issue(CertSpec.server()), clientCa, true,
                dir.resolve("zk"))) {
            assertRefused(zk, zk.secureConnectString(), TlsClients.zkClientConfig(zk.serverCaPem(), null));
            Path strangerKey = TestCa.create("other CA").issue(CertSpec.client("stranger"))
                    .writeCombinedPem(dir.resolve("stranger.pem"));
            assertRefused(zk, zk.secureConnectString(), TlsClients.zkClientConfig(zk.serverCaPem(), strangerKey));
            // The same server lets a client of the accepted CA in.
            TlsClients.connect(zk.secureConnectString(), TlsClients.zkClientConfig(zk.serverCaPem(),
                    clientPem("flink"))).close();
        }
    }

    @Test
    void serverCertificateForAnotherNameIsRefused() throws Exception {
        IssuedCert elsewhere = serverCa.issue(CertSpec.server().withDns("elsewhere.example").withIp());
        try (SecureZooKeeper zk = SecureZooKeeper.start(serverCa, elsewhere, null, false, dir.resolve("zk"))) {
            ZKClientConfig config = TlsClients.zkClientConfig(zk.serverCaPem(), null);
            assertRefused(zk, zk.secureConnectString("localhost"), config);
            assertRefused(zk, zk.secureConnectString("127.0.0.1"), config);
        }
    }

    @Test
    void anIpAddressNeedsAnIpSan() throws Exception {
        IssuedCert dnsOnly = serverCa.issue(CertSpec.server().withIp());
        try (SecureZooKeeper zk = SecureZooKeeper.start(serverCa, dnsOnly, null, false, dir.resolve("zk"))) {
            ZKClientConfig config = TlsClients.zkClientConfig(zk.serverCaPem(), null);
            assertRefused(zk, zk.secureConnectString("127.0.0.1"), config);
            TlsClients.connect(zk.secureConnectString("localhost"), config).close();
        }
    }

    @Test
    void oneAtATimePerJvm() throws Exception {
        IssuedCert cert = serverCa.issue(CertSpec.server());
        String keyStoreBefore = System.getProperty("zookeeper.ssl.keyStore.location");
        try (SecureZooKeeper zk = SecureZooKeeper.start(serverCa, cert, null, false, dir.resolve("first"))) {
            assertThrows(IllegalStateException.class,
                    () -> SecureZooKeeper.start(serverCa, cert, null, false, dir.resolve("second")));
            TlsClients.connect(zk.secureConnectString(), TlsClients.zkClientConfig(zk.serverCaPem(), null)).close();
        }
        assertEquals(keyStoreBefore, System.getProperty("zookeeper.ssl.keyStore.location"), "put back on close");
    }

    @Test
    void clientWithoutTlsConfigurationStillUsesThePlainPort() throws Exception {
        try (SecureZooKeeper zk = SecureZooKeeper.start(serverCa, serverCa.issue(CertSpec.server()), clientCa, true,
                dir.resolve("zk"))) {
            ZooKeeper client = TlsClients.connect(zk.plainConnectString(), new ZKClientConfig());
            try {
                assertEquals(List.of("zookeeper"), client.getChildren("/", false));
            } finally {
                client.close();
            }
        }
    }

    private Path clientPem(String cn) throws Exception {
        return clientCa.issue(CertSpec.client(cn)).writeCombinedPem(dir.resolve(cn + ".pem"));
    }

    /**
     * Starts a client and waits until the server has counted two more failed handshakes (the client's first try and
     * a retry); the client must never have reached {@code SyncConnected}.
     */
    private static void assertRefused(SecureZooKeeper zk, String connectString, ZKClientConfig config)
            throws Exception {
        List<WatchedEvent> events = new CopyOnWriteArrayList<>();
        long before = zk.failedHandshakes();
        ZooKeeper client = new ZooKeeper(connectString, TlsClients.SESSION_TIMEOUT_MS, events::add, config);
        try {
            await(connectString + " refused twice").atMost(WAIT).until(() -> zk.failedHandshakes() >= before + 2);
            assertFalse(client.getState().isConnected(), connectString + ": " + client.getState());
            assertTrue(events.stream().noneMatch(e -> e.getState() == Watcher.Event.KeeperState.SyncConnected),
                    connectString + ": " + events);
        } finally {
            client.close();
        }
    }
}
