package io.zktenantproxy.proxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zktenantproxy.proxy.it.TestSecret;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.Watcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /tenants} and {@code GET /tenants/{name}/tree} against a real ZooKeeper holding a Flink HA layout made
 * through the proxy; totals and quota usage checked against plain reads through the tenant's own client.
 */
class AdminTreeIT {
    private static AdminFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new AdminFixture(null);
    }

    @AfterAll
    static void stop() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static JsonNode tree(String query) throws Exception {
        AdminHttp.Response r = fixture.http.get("/tenants/" + AdminFixture.FLINK + "/tree?" + query);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        return r.json();
    }

    private static JsonNode find(JsonNode node, String path) {
        if (node.get("path").asText().equals(path)) {
            return node;
        }
        for (JsonNode child : node.path("children")) {
            JsonNode found = find(child, path);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static void assertTotals(FlinkLayout.Totals expected, JsonNode node) {
        JsonNode subtree = node.get("subtree");
        assertEquals(expected.nodes(), subtree.get("nodes").asLong(), node.get("path").asText() + " nodes");
        assertEquals(expected.bytes(), subtree.get("bytes").asLong(), node.get("path").asText() + " bytes");
        assertEquals(expected.ephemerals(), subtree.get("ephemerals").asLong(), node.get("path").asText()
                + " ephemerals");
        assertFalse(subtree.get("partial").asBoolean());
    }

    @Test
    void tenantsListChrootPortConnectionsSessionsRequestsAndBudget() throws Exception {
        AdminHttp.Response r = fixture.http.get("/tenants");
        assertEquals(200, r.status(), r.body());
        JsonNode tenants = r.json().get("tenants");
        assertEquals(2, tenants.size());
        JsonNode flink = tenants.get(0);
        assertEquals(AdminFixture.FLINK, flink.get("name").asText());
        assertEquals("/tenants/flink-a", flink.get("chroot").asText());
        assertEquals(fixture.runtime.proxy().address(AdminFixture.FLINK).getPort(), flink.get("port").asInt());
        assertEquals(1, flink.get("connections").asInt());
        assertEquals(1, flink.get("sessions").asInt());
        assertTrue(flink.get("requests").asLong() >= 10, flink.toString());
        assertEquals(10_000, flink.get("requestsPerSecond").asInt(), "the default budget");
        assertEquals(32 * 1024 * 1024, flink.get("bytesPerSecond").asInt());
        assertEquals(0, flink.get("paced").asLong(), "a quiet tenant is never paced");
        assertEquals("zktp-tenant-flink-a", flink.get("identity").asText(), "the user name, nothing secret");
        assertFalse(flink.get("tls").asBoolean(), "a plain listener");
        assertTrue(r.json().get("tls").get("listeners").isNull(), "no TLS implementation without TLS");
        assertTrue(r.json().get("tls").get("sharedPort").isNull(), "no shared listener");
        assertEquals("/tenants/other", tenants.get(1).get("chroot").asText());
        String secret = Files.readString(fixture.secret).strip();
        for (String leak : new String[] {secret, TestSecret.identities(fixture.secret).tenant(AdminFixture.FLINK)
                .get(0).password(), TestSecret.identities(fixture.secret).tenant(AdminFixture.FLINK).get(0).id()}) {
            assertFalse(r.body().contains(leak), "no secret, password or digest in /tenants");
            assertFalse(fixture.http.get("/metrics").body().contains(leak), "none in /metrics");
        }
    }

    private static JsonNode tenant(String name) throws Exception {
        AdminHttp.Response r = fixture.http.get("/tenants");
        assertEquals(200, r.status(), r.body());
        for (JsonNode t : r.json().get("tenants")) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tenant " + name + " in " + r.body());
    }

    @Test
    void tenantsShowQuotaUsageAsZooKeeperCountsItWithLimitsWatchesAndRefusals() throws Exception {
        CuratorFramework client = fixture.flinkClient;
        byte[] probe = "p".getBytes(StandardCharsets.UTF_8);
        if (client.checkExists().forPath("/quota-probe") == null) {
            client.create().forPath("/quota-probe", probe);
        }
        client.checkExists().usingWatcher((Watcher) event -> { }).forPath("/quota-probe/watched");
        FlinkLayout.Totals totals = FlinkLayout.totals(client, "/");
        long znodes = totals.nodes() - 1; // the quota does not count the chroot itself
        // a count is taken as a write arrives, so it may miss the last writes: a write that changes nothing counted
        // makes the proxy count again after them
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            client.setData().forPath("/quota-probe", probe);
            JsonNode quota = tenant(AdminFixture.FLINK).get("quota");
            assertEquals(znodes, quota.at("/znodes/used").asLong(), quota.toString());
            assertEquals(totals.bytes(), quota.at("/bytes/data").asLong(), quota.toString());
            assertEquals(1, quota.at("/watches/held").asLong(), "flink-a's one session holds the exists watch");
        });
        JsonNode quota = tenant(AdminFixture.FLINK).get("quota");
        assertEquals(10_000, quota.at("/znodes/limit").asLong(), "the default znode quota");
        assertEquals(32L * 1024 * 1024, quota.at("/bytes/limit").asLong(), "the default byte quota");
        assertEquals(1024, quota.get("bytesPerZnode").asInt());
        assertEquals(totals.bytes() + znodes * 1024, quota.at("/bytes/used").asLong(), "data plus 1024 per znode");
        assertEquals(1, quota.at("/watches/held").asLong());
        assertEquals(1, quota.at("/watches/heldMax").asInt());
        assertEquals(10_000, quota.at("/watches/limitPerSession").asInt());
        for (String kind : List.of("znodes", "bytes", "watches")) {
            assertEquals(0, quota.at("/exceeded/" + kind).asLong(), kind + ": nothing refused");
        }
        assertEquals(0, tenant(AdminFixture.OTHER).at("/quota/watches/held").asLong(), "watches are per tenant");
    }

    @Test
    void treeIsTheTenantsViewWithStatsAndTotals() throws Exception {
        JsonNode answer = tree("path=/&depth=100");
        assertEquals("/tenants/flink-a", answer.get("chroot").asText());
        JsonNode root = answer.get("root");
        assertEquals("/", root.get("path").asText());
        assertTotals(FlinkLayout.totals(fixture.flinkClient, "/"), root);
        assertTotals(FlinkLayout.totals(fixture.flinkClient, "/flink/default/jobs"), find(root, "/flink/default/jobs"));
        String body = answer.toString();
        assertFalse(body.contains("/tenants/flink-a/"), "a path with the chroot leaked");
        assertFalse(body.contains("secret"), "another tenant's node leaked");

        JsonNode latch = find(root, fixture.layout.latchNode());
        assertNotNull(latch, body);
        long session = fixture.flinkClient.getZookeeperClient().getZooKeeper().getSessionId();
        JsonNode stat = latch.get("stat");
        assertEquals("0x" + Long.toHexString(session), stat.get("ephemeralOwner").asText());
        assertEquals(0, stat.get("numChildren").asInt());
        assertTrue(stat.get("mtime").asLong() > 0);
        assertEquals(0, latch.get("children").size());
        JsonNode counter = find(root, "/flink/default/jobs/" + FlinkLayout.JOB + "/checkpoint_id_counter");
        assertEquals(4, counter.get("stat").get("dataLength").asInt());
        assertEquals(0, counter.get("stat").get("version").asInt());
        assertTrue(counter.get("stat").get("ephemeralOwner").isNull(), "persistent: no owner");
        JsonNode jobs = find(root, "/flink/default/jobs");
        assertEquals(1, jobs.get("stat").get("numChildren").asInt());
        assertTrue(jobs.get("stat").get("cversion").asInt() >= 1);
        assertNull(latch.get("data"), "data only on request");
    }

    @Test
    void depthLimitsTheNodesReturnedNotTheTotals() throws Exception {
        JsonNode root = tree("path=/flink&depth=1").get("root");
        assertEquals("/flink", root.get("path").asText());
        assertEquals(1, root.get("children").size());
        JsonNode defaults = root.get("children").get(0);
        assertEquals("default", defaults.get("name").asText());
        assertNull(defaults.get("children"), "below the depth asked for");
        assertTotals(FlinkLayout.totals(fixture.flinkClient, "/flink/default"), defaults);
        JsonNode alone = tree("path=/flink/default/leader&depth=0").get("root");
        assertNull(alone.get("children"));
        assertTotals(FlinkLayout.totals(fixture.flinkClient, "/flink/default/leader"), alone);
    }

    @Test
    void dataOnlyOnRequestTextOrBase64AndCapped() throws Exception {
        String info = "/flink/default/leader/resource_manager/connection_info";
        JsonNode text = tree("path=" + info + "&depth=0&data=true").get("root").get("data");
        assertEquals("utf8", text.get("encoding").asText());
        assertEquals(FlinkLayout.CONNECTION_INFO, text.get("value").asText());
        assertFalse(text.get("truncated").asBoolean());

        JsonNode capped = tree("path=" + info + "&depth=0&data=true&dataMax=10").get("root").get("data");
        assertEquals(FlinkLayout.CONNECTION_INFO.substring(0, 10), capped.get("value").asText());
        assertTrue(capped.get("truncated").asBoolean());
        assertEquals(FlinkLayout.CONNECTION_INFO.length(), capped.get("length").asInt());

        String checkpoint = "/flink/default/jobs/" + FlinkLayout.JOB + "/checkpoints/0000000000000000001";
        JsonNode binary = tree("path=" + checkpoint + "&depth=0&data=true").get("root").get("data");
        assertEquals("base64", binary.get("encoding").asText());
        assertEquals(Base64.getEncoder().encodeToString(FlinkLayout.CHECKPOINT_HANDLE), binary.get("value").asText());
    }

    @Test
    void boundsAnswer413And504WithAMessage() throws Exception {
        AdminHttp.Response tooMany = fixture.http.get("/tenants/flink-a/tree?path=/&limit=5");
        assertEquals(413, tooMany.status(), tooMany.body());
        assertEquals("more than 5 nodes under / (limit 5); ask for a smaller subtree",
                tooMany.json().get("error").asText());

        AdminHttp.Response raise = fixture.http.get("/tenants/flink-a/tree?limit=20000");
        assertEquals(400, raise.status(), raise.body());
        assertTrue(raise.json().get("error").asText().contains("1..10000"), raise.body());

        if (fixture.flinkClient.checkExists().forPath("/bulk") == null) {
            fixture.flinkClient.create().forPath("/bulk");
            for (int batch = 0; batch < 4; batch++) {
                List<CuratorOp> ops = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    ops.add(fixture.flinkClient.transactionOp().create().forPath("/bulk/n" + batch + "-" + i));
                }
                fixture.flinkClient.transaction().forOperations(ops);
            }
        }
        AdminHttp.Response slow = fixture.http.get("/tenants/flink-a/tree?path=/bulk&timeoutMs=1");
        assertEquals(504, slow.status(), slow.body());
        assertTrue(slow.json().get("error").asText().startsWith("reading /bulk took longer than 1 ms"), slow.body());

        JsonNode bulk = tree("path=/bulk&depth=0").get("root");
        assertEquals(2001, bulk.get("subtree").get("nodes").asLong());
    }

    @Test
    void dataIsReadWithinABudget() throws Exception {
        if (fixture.flinkClient.checkExists().forPath("/big") == null) {
            fixture.flinkClient.create().forPath("/big", new byte[0]);
            byte[] megabyte = new byte[1_000_000];
            for (int i = 0; i < 17; i++) {
                fixture.flinkClient.create().forPath("/big/n" + i, megabyte);
            }
        }
        AdminHttp.Response tooMuch = fixture.http.get("/tenants/flink-a/tree?path=/big&depth=1&data=true&dataMax=1");
        assertEquals(413, tooMuch.status(), tooMuch.body());
        assertEquals("more than 16777216 bytes of data under /big (limit 16777216); ask for fewer nodes or no data",
                tooMuch.json().get("error").asText());
        JsonNode sizes = tree("path=/big&depth=1").get("root");
        assertEquals(17_000_000, sizes.get("subtree").get("bytes").asLong());
        assertEquals(17, sizes.get("children").size());
        JsonNode some = tree("path=/big/n3&depth=0&data=true&dataMax=4").get("root").get("data");
        assertEquals(1_000_000, some.get("length").asInt());
        assertTrue(some.get("truncated").asBoolean());
    }

    @Test
    void badRequestsAreRefusedClearly() throws Exception {
        assertError("/tenants/flink-a/tree?path=flink", 400, "path 'flink': invalid path");
        assertError("/tenants/flink-a/tree?depth=-1", 400, "depth: '-1' (expected: an integer in 0..1000)");
        assertError("/tenants/flink-a/tree?data=maybe", 400, "data: 'maybe' (expected: true or false)");
        assertError("/tenants/nobody/tree", 404, "no tenant 'nobody'");
        assertError("/tenants/flink-a/tree?path=/nope", 404, "no node /nope");
        AdminHttp.Response post = fixture.http.send(HttpRequest.newBuilder(fixture.http.uri("/tenants"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(405, post.status());
        assertEquals(404, fixture.http.get("/tenants/flink-a/nothing").status());
    }

    private static void assertError(String uri, int status, String messageStart) throws Exception {
        AdminHttp.Response r = fixture.http.get(uri);
        assertEquals(status, r.status(), r.body());
        assertTrue(r.json().get("error").asText().startsWith(messageStart), r.body());
        assertEquals(status, r.json().get("status").asInt());
    }
}
