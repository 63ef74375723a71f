package io.zktenantproxy.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tree browser end to end in headless Chromium: the page lists the tenants, expands a Flink layout node by node,
 * shows a node's stat and data, keeps each tenant to its own tree, shows the quota usage of the tenant viewed, and
 * shows errors. Skipped, saying so, where no
 * Chromium is installed ({@code apt-get install -y chromium chromium-driver}).
 */
class AdminPageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static AdminFixture fixture;
    private static HeadlessChromium browser;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> binary = HeadlessChromium.binary();
        assumeTrue(binary.isPresent(), "no Chromium found (set CHROMIUM_BIN, or apt-get install -y chromium "
                + "chromium-driver): skipping the admin page's browser test");
        fixture = new AdminFixture(null);
        browser = HeadlessChromium.start(binary.get());
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(browser, fixture);
    }

    private static String node(String path) throws Exception {
        return "document.querySelector('li[data-path=' + " + JSON.writeValueAsString(JSON.writeValueAsString(path))
                + " + ']')";
    }

    private static void expand(String path) throws Exception {
        browser.waitFor(node(path) + " !== null");
        browser.eval(node(path) + ".querySelector(':scope > .row > .toggle').click()");
    }

    private static void select(String path) throws Exception {
        browser.waitFor(node(path) + " !== null");
        browser.eval(node(path) + ".querySelector(':scope > .row > .name').click()");
        browser.waitFor("document.querySelector('#details [data-field=path]') !== null && document.querySelector("
                + "'#details [data-field=path]').textContent === " + JSON.writeValueAsString(path));
    }

    private static Object field(String name) throws Exception {
        return browser.eval("document.querySelector('#details [data-field=" + name + "]').textContent");
    }

    @Test
    void browsesATenantsTreeWithStatAndData() throws Exception {
        browser.navigate(fixture.http.uri("/ui").toString());
        browser.waitFor(node("/flink") + " !== null");
        assertEquals(2L, ((Number) browser.eval("document.querySelectorAll('#tenant option').length")).longValue());
        assertEquals(AdminFixture.FLINK, browser.eval("document.querySelector('#tenant').value"));

        expand("/flink");
        expand("/flink/default");
        expand("/flink/default/leader");
        expand("/flink/default/leader/latch");
        select(fixture.layout.latchNode());
        long session = fixture.flinkClient.getZookeeperClient().getZooKeeper().getSessionId();
        assertEquals("0x" + Long.toHexString(session), field("ephemeralOwner"));
        assertEquals("0", field("numChildren"));
        assertEquals("No data.", browser.eval("document.querySelector('#data-none').textContent"));

        expand("/flink/default/leader/resource_manager");
        select("/flink/default/leader/resource_manager/connection_info");
        assertEquals(FlinkLayout.CONNECTION_INFO, browser.eval("document.querySelector('#data').textContent"));
        assertEquals(FlinkLayout.CONNECTION_INFO.length() + " B", field("dataLength"));
        assertTrue(((String) field("ephemeralOwner")).startsWith("0x"));

        select("/flink/default/leader");
        assertEquals(String.valueOf(FlinkLayout.totals(fixture.flinkClient, "/flink/default/leader").nodes()),
                field("subtreeNodes"));
        browser.screenshot(Path.of("target", "admin-page.png"));
        String text = (String) browser.eval("document.body.innerText");
        assertFalse(text.contains("secret"), "another tenant's node on the page");
        assertFalse(text.contains("/tenants/flink-a/"), "a server path on the page");
    }

    /** @return the text of {@code field} in the row {@code row} of the Flink cluster at {@code cluster} */
    private static Object flinkCell(String cluster, String row, String field) throws Exception {
        return browser.eval("document.querySelector('article[data-cluster=' + "
                + JSON.writeValueAsString(JSON.writeValueAsString(cluster)) + " + '] " + row + " [data-field="
                + field + "]').textContent");
    }

    @Test
    void flinkTabShowsLeadersJobsAndCheckpointsAsText() throws Exception {
        String hostile = "<img src=x onerror=alert(1)>";
        String rpc = "pekko.tcp://flink@10.0.0.8:6123/user/rpc";
        try (FlinkHaWriter writer = new FlinkHaWriter(fixture.flinkClient)) {
            writer.flink23("/flink/page", rpc, hostile);
            browser.navigate(fixture.http.uri("/ui").toString());
            browser.waitFor(node("/flink") + " !== null");
            // were the hostile address parsed as HTML, its onerror would call this instead of blocking the page
            browser.eval("window.alert = () => { window.alerted = true; }; true");
            browser.eval("document.querySelector('#tab-flink').click()");
            String card = "document.querySelector('article[data-cluster=' + "
                    + JSON.writeValueAsString(JSON.writeValueAsString("/flink/page")) + " + ']')";
            browser.waitFor(card + " !== null");
            assertTrue((Boolean) browser.eval("document.querySelector('#view-tree').hidden"));
            assertEquals("Flink 2.3", flinkCell("/flink/page", "h2", "layout"));
            assertEquals("yes", flinkCell("/flink/page", "", "leaderPresent"));
            assertEquals(rpc + "/dispatcher_1", flinkCell("/flink/page", "tr[data-component=dispatcher]", "address"));
            assertEquals(FlinkHaWriter.SESSION.toString(), flinkCell("/flink/page", "tr[data-component=dispatcher]",
                    "session"));
            assertEquals("1", flinkCell("/flink/page", "tr[data-component=dispatcher]", "contenders"));
            assertTrue(((String) flinkCell("/flink/page", "tr[data-component=dispatcher]", "since")).endsWith(" ago)"));
            assertEquals(hostile, flinkCell("/flink/page", "tr[data-component=rest_server]", "address"));
            String job = "tr[data-job=\"" + FlinkHaWriter.JOB + "\"]";
            assertEquals(FlinkHaWriter.JOB, flinkCell("/flink/page", job, "job"));
            assertEquals(String.valueOf(FlinkHaWriter.CHECKPOINT), flinkCell("/flink/page", job, "checkpoint"));
            assertEquals(String.valueOf(FlinkHaWriter.CHECKPOINT + 1), flinkCell("/flink/page", job, "counter"));
            assertTrue(((String) flinkCell("/flink/page", job, "age")).matches("\\d+ s"));
            long session = fixture.flinkClient.getZookeeperClient().getZooKeeper().getSessionId();
            assertEquals("0x" + Long.toHexString(session) + " (live, contender)", flinkCell("/flink/page", job,
                    "locks"));
            assertEquals(FlinkHaWriter.APP, flinkCell("/flink/page", "tr[data-application]", "application"));
            // the fixture's own layout writes its leader address as plain text, not as Flink does
            assertTrue(((String) flinkCell("/flink/default", "tr[data-component=resource_manager]", "address"))
                    .startsWith("unreadable: "));
            assertEquals(0L, ((Number) browser.eval("document.querySelectorAll('#flink img').length")).longValue());
            assertTrue((Boolean) browser.eval("window.alerted === undefined"));
            browser.screenshot(Path.of("target", "admin-page-flink.png"));

            browser.eval("(() => { const s = document.querySelector('#tenant'); s.value = 'other';"
                    + " s.dispatchEvent(new Event('change')); })()");
            browser.waitFor(card + " === null && document.querySelector('#flink-summary') !== null");
            assertFalse(((String) browser.eval("document.querySelector('#flink').textContent")).contains("10.0.0.8"));
        }
    }

    /** @return the {@code quota} object of {@code tenant} in {@code GET /tenants} */
    private static JsonNode quotaJson(String tenant) throws Exception {
        for (JsonNode t : fixture.http.get("/tenants").json().get("tenants")) {
            if (t.get("name").asText().equals(tenant)) {
                return t.get("quota");
            }
        }
        throw new AssertionError("no tenant " + tenant + " in /tenants");
    }

    private static String quotaValue(String kind, String property) {
        return "document.querySelector('#quota [data-quota=" + kind + "]')." + property;
    }

    /** Opens the tree again (which reads {@code /tenants} again) and checks the quota line against the JSON. */
    private static void assertQuotaLine(String tenant) throws Exception {
        JsonNode quota = quotaJson(tenant);
        assertFalse(quota.at("/znodes/used").isNull(), "counted once a session of the tenant connected: " + quota);
        String znodes = quota.at("/znodes/used").asLong() + " of 10000 znodes";
        String watches = quota.at("/watches/held").asLong() + " watches held, busiest session "
                + quota.at("/watches/heldMax").asInt() + " of 10000";
        browser.eval("document.querySelector('#goto').requestSubmit()");
        browser.waitFor("document.querySelector('#quota [data-quota=znodes]') !== null && "
                + quotaValue("znodes", "textContent") + " === " + JSON.writeValueAsString(znodes) + " && "
                + quotaValue("bytes", "dataset.used") + " === "
                + JSON.writeValueAsString(quota.at("/bytes/used").asText()) + " && "
                + quotaValue("watches", "textContent") + " === " + JSON.writeValueAsString(watches));
        String bytes = (String) browser.eval(quotaValue("bytes", "textContent"));
        assertTrue(bytes.matches("\\d+(\\.\\d)? (B|KiB|MiB) of 32 MiB"), bytes);
        String text = (String) browser.eval("document.querySelector('#quota').textContent");
        assertTrue(text.startsWith("Quota of " + tenant + ":"), text);
        assertTrue(text.contains("refused over quota: 0 znodes, 0 bytes, 0 watches"), text);
    }

    @Test
    void showsTheQuotaUsageOfTheTenantViewed() throws Exception {
        browser.navigate(fixture.http.uri("/ui").toString());
        browser.waitFor(node("/flink") + " !== null");
        assertQuotaLine(AdminFixture.FLINK);
        browser.eval("(() => { const s = document.querySelector('#tenant'); s.value = 'other';"
                + " s.dispatchEvent(new Event('change')); })()");
        browser.waitFor(node("/flink") + " !== null && " + node("/flink/default/leader") + " === null");
        assertQuotaLine(AdminFixture.OTHER);
    }

    @Test
    void eachTenantSeesItsOwnTreeAndErrorsAreShown() throws Exception {
        browser.navigate(fixture.http.uri("/ui").toString());
        browser.waitFor(node("/flink") + " !== null");
        browser.eval("(() => { const s = document.querySelector('#tenant'); s.value = 'other';"
                + " s.dispatchEvent(new Event('change')); })()");
        browser.waitFor(node("/flink") + " !== null && " + node("/flink/default/leader") + " === null");
        browser.eval("(() => { document.querySelector('#path').value = '/flink/default';"
                + " document.querySelector('#goto').requestSubmit(); })()");
        browser.waitFor(node("/flink/default/secret") + " !== null");

        browser.eval("(() => { document.querySelector('#path').value = '/nope';"
                + " document.querySelector('#goto').requestSubmit(); })()");
        browser.waitFor("document.querySelector('#status').className === 'error'");
        assertEquals("no node /nope", browser.eval("document.querySelector('#status').textContent"));
    }
}
