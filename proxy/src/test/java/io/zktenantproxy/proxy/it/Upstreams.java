package io.zktenantproxy.proxy.it;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

/**
 * Real ZooKeeper servers for integration tests (curator-test), configured as a proxy needs them: no per-address
 * connection limit (every proxied client arrives from the proxy's address), TTL nodes enabled, the four-letter words
 * the tests use whitelisted.
 */
public final class Upstreams {
    private Upstreams() {
    }

    static {
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        System.setProperty("zookeeper.4lw.commands.whitelist", "*");
    }

    private static Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>();
        p.put("maxClientCnxns", "0");
        p.put("admin.enableServer", "false");
        return p;
    }

    /** A started standalone server. */
    public static TestingServer server() throws Exception {
        InstanceSpec spec = new InstanceSpec(null, -1, -1, -1, true, -1, -1, 0, properties());
        return new TestingServer(spec, true);
    }

    /** A started ensemble of {@code size} servers. */
    public static TestingCluster cluster(int size) throws Exception {
        java.util.List<InstanceSpec> specs = new java.util.ArrayList<>();
        for (int i = 0; i < size; i++) {
            specs.add(new InstanceSpec((File) null, -1, -1, -1, true, i + 1, -1, 0, properties()));
        }
        TestingCluster cluster = new TestingCluster(specs);
        cluster.start();
        return cluster;
    }

    /**
     * Sends four-letter word {@code word} to {@code host:port} and returns the whole answer (the server closes the
     * connection after it).
     */
    public static String fourLetterWord(String host, int port, String word) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * @return the server of {@code cluster} whose {@code cons} lists a connection of {@code sessionId}; right after a
     *     move the old server may still list it for a moment, so it is asked until exactly one does
     */
    public static org.apache.curator.test.InstanceSpec serverOf(TestingCluster cluster, long sessionId,
                                                                 java.time.Duration deadline) {
        String sid = "sid=0x" + Long.toHexString(sessionId);
        return org.awaitility.Awaitility.await().atMost(deadline).until(() -> {
            java.util.List<org.apache.curator.test.InstanceSpec> holders = new java.util.ArrayList<>();
            for (org.apache.curator.test.InstanceSpec spec : cluster.getInstances()) {
                try {
                    if (fourLetterWord("127.0.0.1", spec.getPort(), "cons").contains(sid)) {
                        holders.add(spec);
                    }
                } catch (IOException e) {
                    // a stopped server: not a holder
                }
            }
            return holders;
        }, holders -> holders.size() == 1).get(0);
    }

    /** @return whether something accepts TCP connections on {@code 127.0.0.1:port} (2 s to connect) */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
