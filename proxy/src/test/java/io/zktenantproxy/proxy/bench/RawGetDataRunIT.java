package io.zktenantproxy.proxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContext;
import io.zktenantproxy.proxy.tls.SecureZooKeeper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS side of {@code LoadBench --tls} against a real ZooKeeper's secure port: {@link BenchTls}' certificates and
 * client context, and {@link RawGetDataRun} over them (about a second); a client that trusts another CA is refused.
 */
class RawGetDataRunIT {
    @TempDir
    Path dir;

    @Test
    void getDataOverTlsToTheSecurePort() throws Exception {
        BenchTls tls = BenchTls.create(Files.createDirectory(dir.resolve("tls")));
        LoadBench.Scenario scenario = LoadBench.Scenario.parse("getData128:2x4");
        try (SecureZooKeeper zk = SecureZooKeeper.start(tls.ca(), tls.server(), null, false, dir.resolve("zk"))) {
            ZooKeeper admin = LoadBench.connect(zk.plainConnectString());
            try {
                LoadBench.ensure(admin, "/tenants");
                LoadBench.ensure(admin, "/tenants/bench");
                LoadRun.setUp(admin, scenario, "/tenants/bench");
            } finally {
                admin.close();
            }
            LoadRun.Result result;
            try (RawGetDataRun run = RawGetDataRun.open(scenario, "127.0.0.1", zk.securePort(), "/tenants/bench",
                    tls.clientContext())) {
                result = run.run(1);
            }
            assertTrue(result.opsTotal() > 0, result.toString());
            assertEquals(0, result.errors(), result.toString());

            SslContext stranger = BenchTls.create(Files.createDirectory(dir.resolve("other"))).clientContext();
            assertThrows(ExecutionException.class, () -> RawGetDataRun.open(scenario, "127.0.0.1", zk.securePort(),
                    "/tenants/bench", stranger).close());
        }
    }
}
