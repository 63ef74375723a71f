package io.zktenantproxy.proxy.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real standalone ZooKeeper in the proxy's own JVM ({@code ZooKeeperServerEmbedded}), for running the proxy with
 * no ensemble at hand. Set up as a proxy needs it: {@code maxClientCnxns=0} (every proxied client arrives from the
 * proxy's address), TTL nodes enabled ({@code zookeeper.extendedTypesEnabled}), ZooKeeper's admin server off.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    private final ZooKeeperServerEmbedded server;
    private final String connectString;

    private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, String connectString) {
        this.server = server;
        this.connectString = connectString;
    }

    /**
     * Starts ZooKeeper with its data under {@code baseDir}, listening on loopback.
     *
     * @param clientPort the client port (2181 by default on the command line)
     * @throws IOException if it does not start within 30 s or the directory cannot be made
     */
    public static EmbeddedZooKeeper start(Path baseDir, int clientPort) throws IOException {
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        Files.createDirectories(baseDir);
        Properties p = new Properties();
        p.setProperty("clientPort", Integer.toString(clientPort));
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("tickTime", "2000");
        p.setProperty("maxClientCnxns", "0");
        p.setProperty("admin.enableServer", "false");
        p.setProperty("4lw.commands.whitelist", "srvr,ruok,mntr,stat");
        try {
            ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                    .baseDir(baseDir.toAbsolutePath())
                    .configuration(p)
                    .exitHandler(ExitHandler.LOG_ONLY)
                    .build();
            server.start(30_000);
            EmbeddedZooKeeper embedded = new EmbeddedZooKeeper(server, server.getConnectionString());
            LOG.info("no upstream given: started an embedded ZooKeeper on {} with its data under {}",
                    embedded.connectString, baseDir.toAbsolutePath());
            return embedded;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("embedded ZooKeeper did not start: " + e.getMessage(), e);
        }
    }

    /** @return {@code host:port} of the embedded server */
    public String connectString() {
        return connectString;
    }

    @Override
    public void close() {
        server.close();
    }
}
