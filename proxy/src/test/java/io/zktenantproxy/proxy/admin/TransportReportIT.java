package io.zktenantproxy.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.zktenantproxy.proxy.config.ServerConfig;
import io.zktenantproxy.proxy.server.Transport;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ITs run on the transport the build names ({@code -Dzktp.transport}, {@code auto} by default): the proxy runs on
 * exactly that one (auto: the best this machine starts), serves through it, and {@code /tenants} says which. This is
 * the check that a run of the suite "on io_uring" was one.
 */
class TransportReportIT {
    private static AdminFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new AdminFixture("transport-token");
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @Test
    void theProxyRunsOnTheTransportTheBuildNamesAndSaysSo() throws Exception {
        String requested = ServerConfig.defaults().effectiveTransport();
        String expected = requested.equals("auto") ? Transport.select("auto").name() : requested;
        assertEquals(expected, fixture.runtime.proxy().transport());
        assertEquals(expected, fixture.http.get("/tenants").json().get("transport").asText());
        String path = "/through-" + expected;
        fixture.flinkClient.create().forPath(path, expected.getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, new String(fixture.flinkClient.getData().forPath(path), StandardCharsets.UTF_8));
        assertNull(fixture.otherClient.checkExists().forPath(path), "the chroot holds on " + expected);
    }
}
