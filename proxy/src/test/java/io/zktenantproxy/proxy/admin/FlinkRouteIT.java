package io.zktenantproxy.proxy.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.zktenantproxy.proxy.flink.FlinkBytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code GET /tenants/{name}/flink} against a real ZooKeeper and a real proxy: Flink 2.3 HA trees written through
 * the tenants' own proxy ports with leader information from a real {@code ObjectOutputStream} ({@link FlinkHaWriter}),
 * a hostile cluster (garbage, a serialized gadget), another tenant's cluster that must never show, and the error
 * answers, which must be the tree endpoint's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkRouteIT {
    private static final String RPC = "pekko.tcp://flink@10.0.0.7:6123/user/rpc";
    private static final String REST = "http://10.0.0.7:8081";
    private static final String OTHER_RPC = "pekko.tcp://flink@10.9.9.9:6123/user/rpc";
    private static AdminFixture fixture;
    private static FlinkHaWriter flink;
    private static FlinkHaWriter other;

    @BeforeAll
    static void start() throws Exception {
        fixture = new AdminFixture(null);
        flink = new FlinkHaWriter(fixture.flinkClient);
        flink.flink23("/flink/fraud", RPC, REST);
        flink.lead("/flink/hostile/leader/latch");
        flink.leader("/flink/hostile", "dispatcher", "garbage, not Java serialization".getBytes(
                StandardCharsets.UTF_8));
        flink.leader("/flink/hostile", "resource_manager", FlinkBytes.write(oos -> {
            oos.writeUTF(RPC);
            oos.writeObject(new FlinkBytes.Gadget());
        }));
        flink.leader("/flink/hostile", "rest_server", FlinkBytes.leaderInfo(REST, FlinkHaWriter.SESSION));
        other = new FlinkHaWriter(fixture.otherClient);
        other.flink23("/flink/other-prod", OTHER_RPC, "http://10.9.9.9:8081");
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(flink, other, fixture);
    }

    private static AdminHttp.Response get(String pathAndQuery) throws Exception {
        return fixture.http.get(pathAndQuery);
    }

    private static JsonNode view(String tenant) throws Exception {
        AdminHttp.Response r = get("/tenants/" + tenant + "/flink");
        assertEquals(200, r.status(), r.body());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        return r.json();
    }

    private static JsonNode cluster(JsonNode view, String path) {
        for (JsonNode c : view.get("clusters")) {
            if (c.get("path").asText().equals(path)) {
                return c;
            }
        }
        throw new AssertionError("no cluster " + path + " in " + view);
    }

    private static JsonNode leader(JsonNode cluster, String component) {
        for (JsonNode l : cluster.get("leaders")) {
            if (l.get("component").asText().equals(component)) {
                return l;
            }
        }
        throw new AssertionError("no leader of " + component + " in " + cluster);
    }

    @Test
    void showsLeadersJobsCheckpointsAndApplicationsOfAFlink23Cluster() throws Exception {
        JsonNode view = view(AdminFixture.FLINK);
        assertEquals(AdminFixture.FLINK, view.get("tenant").asText());
        assertEquals(10_000, view.get("limit").asInt());
        assertEquals(5_000, view.get("timeoutMs").asInt());
        assertFalse(view.has("incomplete"), view.toString());
        assertTrue(view.get("scannedAt").asLong() > 0);
        assertTrue(view.get("roots").toString().contains("\"/flink\""), view.get("roots").toString());

        JsonNode c = cluster(view, "/flink/fraud");
        assertEquals("fraud", c.get("clusterId").asText());
        assertEquals("/flink", c.get("root").asText());
        assertEquals("FLINK_2_3", c.get("layout").asText());
        assertTrue(c.get("leaderPresent").asBoolean());
        assertFalse(c.get("orphaned").asBoolean());
        String session = "0x" + Long.toHexString(fixture.flinkClient.getZookeeperClient().getZooKeeper()
                .getSessionId());
        JsonNode dispatcher = leader(c, "dispatcher");
        assertEquals("/flink/fraud/leader/dispatcher/connection_info", dispatcher.get("infoPath").asText());
        assertEquals("KNOWN", dispatcher.at("/info/status").asText());
        assertEquals(RPC + "/dispatcher_1", dispatcher.at("/info/address").asText());
        assertEquals(FlinkHaWriter.SESSION.toString(), dispatcher.at("/info/sessionId").asText());
        assertEquals(1, dispatcher.at("/latch/contenders").asInt());
        assertEquals(session, dispatcher.at("/latch/holderSession").asText());
        assertTrue(dispatcher.get("since").asLong() > 0);
        assertEquals(REST, leader(c, "rest_server").at("/info/address").asText());
        assertEquals(FlinkHaWriter.JOB, leader(c, "job_manager").get("jobId").asText());

        JsonNode job = c.at("/jobs/0");
        assertEquals(FlinkHaWriter.JOB, job.get("jobId").asText());
        assertEquals("/flink/fraud/execution-plans/" + FlinkHaWriter.JOB, job.at("/plan/path").asText());
        assertEquals(FlinkHaWriter.CHECKPOINT, job.at("/newestCheckpoint/id").asLong());
        assertEquals("/flink/fraud/jobs/" + FlinkHaWriter.JOB + "/checkpoints/0000000000000000042",
                job.at("/newestCheckpoint/path").asText());
        assertTrue(job.at("/newestCheckpoint/ctime").asLong() > 0);
        assertEquals(2, job.get("checkpoints").asInt());
        assertEquals(FlinkHaWriter.CHECKPOINT + 1, job.get("counter").asLong());
        JsonNode lock = job.at("/newestCheckpoint/locks/0");
        assertEquals(session, lock.get("session").asText());
        assertTrue(lock.get("contender").asBoolean());
        assertEquals(FlinkHaWriter.APP, c.at("/applications/0/applicationId").asText());
        assertEquals(1, c.at("/applications/0/handle/locks").size());
    }

    @Test
    void tenantPathsOnlyNoBytesNoOtherTenant() throws Exception {
        String body = get("/tenants/" + AdminFixture.FLINK + "/flink").body();
        assertFalse(body.contains("/tenants/"), "a server path in " + body);
        assertFalse(body.contains("rO0AB") || body.toLowerCase().contains("aced0005"), "raw bytes in " + body);
        assertFalse(body.contains("other-prod") || body.contains("10.9.9.9"), "another tenant's cluster: " + body);
        assertFalse(body.contains("secret"), body);
        JsonNode others = view(AdminFixture.OTHER);
        assertEquals(OTHER_RPC + "/dispatcher_1", leader(cluster(others, "/flink/other-prod"), "dispatcher")
                .at("/info/address").asText());
        assertFalse(others.toString().contains("fraud") || others.toString().contains("10.0.0.7"), others.toString());
    }

    @Test
    void hostileLeaderInformationIsUnreadableAndTheProxyStillServes() throws Exception {
        JsonNode c = cluster(view(AdminFixture.FLINK), "/flink/hostile");
        JsonNode garbage = leader(c, "dispatcher").get("info");
        assertEquals("UNREADABLE", garbage.get("status").asText());
        assertFalse(garbage.has("address"), garbage.toString());
        assertTrue(garbage.get("reason").asText().startsWith("magic: "), garbage.toString());
        JsonNode gadget = leader(c, "resource_manager").get("info");
        assertEquals("UNREADABLE", gadget.get("status").asText());
        assertTrue(gadget.get("reason").asText().contains(FlinkBytes.Gadget.class.getName()), gadget.toString());
        assertFalse(gadget.has("address"), "nothing of unreadable bytes is shown: " + gadget);
        assertFalse(FlinkBytes.Gadget.deserialized, "a tenant's bytes were deserialized");
        assertEquals("KNOWN", leader(c, "rest_server").at("/info/status").asText());
        // the FlinkLayout of the fixture writes its address as plain text, not as Flink does
        assertEquals("UNREADABLE", leader(cluster(view(AdminFixture.FLINK), "/flink/default"), "resource_manager")
                .at("/info/status").asText());

        assertEquals(200, get("/readyz").status());
        assertNotNull(fixture.flinkClient.checkExists().forPath("/flink/hostile/leader/latch"));
        assertEquals(200, get("/tenants/" + AdminFixture.FLINK + "/flink").status());
    }

    @Test
    void boundsAndErrorsAreTheTreeEndpoints() throws Exception {
        for (String query : new String[] {"?limit=0", "?limit=10001", "?timeoutMs=x", "?limit=1&limit=2"}) {
            AdminHttp.Response tree = get("/tenants/" + AdminFixture.FLINK + "/tree" + query);
            AdminHttp.Response flinkAnswer = get("/tenants/" + AdminFixture.FLINK + "/flink" + query);
            assertEquals(400, flinkAnswer.status(), query + ": " + flinkAnswer.body());
            assertEquals(tree.body(), flinkAnswer.body(), query);
        }
        AdminHttp.Response tree = get("/tenants/nobody/tree");
        AdminHttp.Response unknown = get("/tenants/nobody/flink");
        assertEquals(404, unknown.status());
        assertEquals(tree.body(), unknown.body());
        assertEquals(404, unknown.json().get("status").asInt());
        assertEquals("no tenant 'nobody'", unknown.json().get("error").asText());
        assertEquals(404, get("/tenants//flink").status());

        JsonNode small = get("/tenants/" + AdminFixture.FLINK + "/flink?limit=5&timeoutMs=4000").json();
        assertEquals(5, small.get("limit").asInt());
        assertEquals(4000, small.get("timeoutMs").asInt());
        assertTrue(small.get("incomplete").asText().contains("limit 5"), small.toString());
        small.get("clusters").forEach(c -> assertFalse(c.get("orphaned").asBoolean()));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void unavailableEnsembleIsTheTreeEndpointsAnswer() throws Exception {
        fixture.zk.stop();
        try {
            String tree = "/tenants/" + AdminFixture.FLINK + "/tree";
            await().atMost(Duration.ofSeconds(30)).until(() -> get(tree).status() == 503);
            AdminHttp.Response r = get("/tenants/" + AdminFixture.FLINK + "/flink");
            assertEquals(503, r.status(), r.body());
            assertEquals(503, r.json().get("status").asInt());
        } finally {
            fixture.zk.restart();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/tenants/" + AdminFixture.FLINK + "/flink")
                .status() == 200);
    }
}
