package io.zktenantproxy.proxy.reload;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.cli.Cli;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.it.KubeletMount;
import io.zktenantproxy.proxy.it.ProxyHarness;
import io.zktenantproxy.proxy.it.Upstreams;
import io.zktenantproxy.proxy.runtime.ProxyRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What starts a reload, on a {@link ProxyRuntime} whose configuration file is mounted the way Kubernetes mounts a
 * ConfigMap ({@code config.yaml -> ..data/config.yaml}, {@code ..data -> ..<timestamp>}, replaced by an atomic
 * rename of a new {@code ..data} link): the file watch, {@code POST /reload} behind the admin token, and the
 * {@code reload} command; a file that does not parse, or names an unknown key, keeps the running configuration.
 */
class ReloadTriggersIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String TOKEN = "reload-token-of-the-test";

    @TempDir
    Path dir;

    private TestingServer server;
    private ProxyRuntime runtime;
    private int adminPort;
    private int generationFolders;

    @BeforeEach
    void start() throws Exception {
        server = Upstreams.server();
        adminPort = ProxyHarness.freePort();
        publish(yaml("a", ProxyHarness.freePort()));
        Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("..data/config.yaml"));
        Path file = dir.resolve("config.yaml");
        ProxyRuntime.ConfigSource source = () -> ConfigLoader.load(file);
        runtime = ProxyRuntime.start(source.read(), null, file, source, Duration.ofMillis(200));
        await().atMost(DEADLINE).until(() -> runtime.proxy().ready());
    }

    @AfterEach
    void stop() throws Exception {
        if (runtime != null) {
            runtime.close();
        }
        server.close();
    }

    /** The proxy's YAML: the test's ensemble, the admin API with a token, and the tenants given as name, port. */
    private String yaml(Object... tenants) {
        StringBuilder sb = new StringBuilder("upstream: \"" + server.getConnectString() + "\"\n"
                + "admin: {listen: \"127.0.0.1:" + adminPort + "\", token: \"" + TOKEN + "\"}\n"
                + "tenants:\n");
        for (int i = 0; i < tenants.length; i += 2) {
            sb.append("  - {name: ").append(tenants[i]).append(", listen: \"127.0.0.1:").append(tenants[i + 1])
                    .append("\"}\n");
        }
        return sb.toString();
    }

    /** Writes {@code text} into a new timestamped folder and swaps {@code ..data} to it, as the kubelet does. */
    private void publish(String text) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("..2026_12_02_" + (++generationFolders)));
        Files.writeString(folder.resolve("config.yaml"), text, StandardCharsets.UTF_8);
        KubeletMount.swapDataTo(dir, folder);
    }

    @Test
    void aConfigMapSwapIsApplied() throws Exception {
        int bPort = ProxyHarness.freePort();
        int aPort = runtime.proxy().address("a").getPort();
        publish(yaml("a", aPort, "b", bPort));
        // the listener opens inside the reload, the outcome is recorded at its end: await the outcome
        await("tenant b added by the file watch").atMost(DEADLINE)
                .until(() -> runtime.proxy().lastReload().generation() == 2);
        assertEquals("applied", runtime.proxy().lastReload().outcome());
        assertTrue(runtime.proxy().listenerAddress("b").isPresent());

        // a syntax error, then an unknown key: refused, counted, shown; the running configuration stays
        publish("upstream: [unclosed\n");
        await().atMost(DEADLINE).until(() -> runtime.proxy().lastReload().refused());
        publish(yaml("a", aPort, "b", bPort) + "surprise: 1\n");
        await().atMost(DEADLINE).until(() -> runtime.proxy().lastReload().errors().stream()
                .anyMatch(e -> e.contains("surprise")));
        assertTrue(runtime.proxy().listenerAddress("b").isPresent());
        assertEquals(2, runtime.proxy().lastReload().generation());
        String readyz = get("/readyz");
        assertTrue(readyz.startsWith("ready\nconfig generation 2; last reload: refused"), readyz);
        assertTrue(readyz.contains("surprise"), readyz);
        String tenants = get("/tenants");
        assertTrue(tenants.contains("\"config\":{\"generation\":2,\"outcome\":\"refused\""), tenants);
        assertFalse(tenants.contains(TOKEN), "the admin token never shows");
    }

    @Test
    void postReloadNeedsTheTokenAndTheCommandUsesIt() throws Exception {
        int aPort = runtime.proxy().address("a").getPort();
        int cPort = ProxyHarness.freePort();
        // written without a swap the watcher would see: the reload comes from the API
        runtime.close();
        runtime = null;
        Path file = dir.resolve("plain.yaml");
        Files.writeString(file, yaml("a", aPort), StandardCharsets.UTF_8);
        ProxyRuntime.ConfigSource source = () -> ConfigLoader.load(file);
        runtime = ProxyRuntime.start(source.read(), null, null, source, Duration.ofMillis(200));
        await().atMost(DEADLINE).until(() -> runtime.proxy().ready());
        Files.writeString(file, yaml("a", aPort, "c", cPort), StandardCharsets.UTF_8);

        assertEquals(401, post("/reload", null).statusCode());
        assertEquals(401, post("/reload", "wrong").statusCode());
        assertFalse(runtime.proxy().listenerAddress("c").isPresent());
        HttpResponse<String> applied = post("/reload", TOKEN);
        assertEquals(200, applied.statusCode(), applied.body());
        assertTrue(applied.body().contains("\"outcome\":\"applied\""), applied.body());
        assertTrue(runtime.proxy().listenerAddress("c").isPresent());

        Path tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n", StandardCharsets.UTF_8);
        Cli.Run unchanged = Cli.run("reload", "--admin", "127.0.0.1:" + adminPort, "--token-file",
                tokenFile.toString());
        assertEquals(0, unchanged.exit(), unchanged.err());
        assertTrue(unchanged.out().contains("\"outcome\":\"unchanged\""), unchanged.out());
        Files.writeString(file, yaml("a", aPort, "c", cPort, "a", ProxyHarness.freePort()), StandardCharsets.UTF_8);
        Cli.Run refused = Cli.run("reload", "--admin", "127.0.0.1:" + adminPort, "--token-file",
                tokenFile.toString());
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.out().contains("\"outcome\":\"refused\""), refused.out());
        ProxyConfig running = runtime.proxy().config();
        assertEquals(2, running.tenants().size());
    }

    private String get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .header("Authorization", "Bearer " + TOKEN).GET().build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    private HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
