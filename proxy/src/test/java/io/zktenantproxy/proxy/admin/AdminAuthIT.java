package io.zktenantproxy.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With {@code admin.token}: every data route needs the bearer token; the static page does not; all is read-only. */
class AdminAuthIT {
    private static final String TOKEN = "s3cret-token";
    private static AdminFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new AdminFixture(TOKEN);
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(fixture);
    }

    @Test
    void dataRoutesNeedTheTokenProbesDoNot() throws Exception {
        AdminHttp anonymous = new AdminHttp(fixture.runtime.admin().address(), null);
        AdminHttp wrong = new AdminHttp(fixture.runtime.admin().address(), "s3cret-tokeN");
        for (String route : new String[] {"/metrics", "/tenants", "/tenants/flink-a/tree"}) {
            assertEquals(401, anonymous.get(route).status(), route);
            assertEquals(401, wrong.get(route).status(), route);
        }
        // probes send no token: the status line only, the reload details only with the token
        assertEquals("ok\n", anonymous.get("/healthz").body());
        assertEquals("ready\n", anonymous.get("/readyz").body());
        assertEquals("ready\n", wrong.get("/readyz").body());
        assertTrue(fixture.http.get("/readyz").body().startsWith("ready\nconfig generation 1; last reload: started"));
        assertEquals(200, fixture.http.get("/healthz").status());
        assertEquals(200, fixture.http.get("/tenants/flink-a/tree?path=/flink").status());
        assertTrue(fixture.http.get("/metrics").body().contains("zktp_requests_total"));
    }

    @Test
    void thePageIsServedWithoutTheTokenAndLoadsNothingFromElsewhere() throws Exception {
        AdminHttp anonymous = new AdminHttp(fixture.runtime.admin().address(), null);
        AdminHttp.Response page = anonymous.get("/ui");
        assertEquals(200, page.status());
        assertTrue(page.contentType().startsWith("text/html"), page.contentType());
        assertTrue(page.body().contains("id=\"token-form\""));
        assertTrue(!page.body().contains("src=\"http") && !page.body().contains("href=\"http"), "external resource");
        AdminHttp.Response root = anonymous.get("/");
        assertEquals(page.body(), root.body());
    }

    @Test
    void onlyReadsAreAllowed() throws Exception {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH"}) {
            AdminHttp.Response r = fixture.http.send(HttpRequest.newBuilder(fixture.http.uri("/tenants"))
                    .method(method, HttpRequest.BodyPublishers.noBody()));
            assertEquals(405, r.status(), method);
        }
        // the one write: a proxy started without a configuration file has nothing to reload
        AdminHttp.Response reload = fixture.http.send(HttpRequest.newBuilder(fixture.http.uri("/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(409, reload.status(), reload.body());
    }

    @Test
    void thePageAsksForTheTokenInABrowser() throws Exception {
        Optional<Path> binary = HeadlessChromium.binary();
        assumeTrue(binary.isPresent(), "no Chromium found (set CHROMIUM_BIN, or apt-get install -y chromium "
                + "chromium-driver): skipping the browser part");
        try (HeadlessChromium browser = HeadlessChromium.start(binary.get())) {
            browser.navigate(fixture.http.uri("/ui").toString());
            browser.waitFor("!document.querySelector('#token-form').hidden");
            assertEquals("This admin server needs its token: enter it above.",
                    browser.eval("document.querySelector('#status').textContent"));
            browser.eval("(() => { document.querySelector('#token').value = '" + TOKEN + "';"
                    + " document.querySelector('#token-form').requestSubmit(); })()");
            browser.waitFor("document.querySelector('li[data-path=\"/flink\"]') !== null");
            assertEquals(Boolean.TRUE, browser.eval("document.querySelector('#token-form').hidden"));
        }
    }
}
