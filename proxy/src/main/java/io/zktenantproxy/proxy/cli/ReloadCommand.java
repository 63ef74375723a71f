package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.config.HostPort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/**
 * {@code zk-tenant-proxy reload --admin HOST:PORT}: asks a running proxy to re-read its configuration file now
 * ({@code POST /reload} on its admin API), for scripts and deploy pipelines. Prints the outcome the proxy answers
 * (JSON: generation, outcome, errors) and exits 0 when it was applied or unchanged, 1 when refused (the running
 * configuration stays), 2 when the proxy could not be asked.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Ask a running proxy to re-read its configuration file (POST /reload on its admin API).")
final class ReloadCommand implements Callable<Integer> {
    @Option(names = "--admin", required = true, paramLabel = "HOST:PORT",
            description = "The proxy's admin address (admin.listen).")
    String admin;

    @Option(names = "--token-file", defaultValue = "${env:ZKTP_ADMIN_TOKEN_FILE}", paramLabel = "FILE",
            description = "A file holding admin.token (env ZKTP_ADMIN_TOKEN_FILE); else env ZKTP_ADMIN_TOKEN.")
    Path tokenFile;

    @Option(names = "--timeout-ms", defaultValue = "30000", paramLabel = "MS",
            description = "How long to wait for the answer (default ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String token = tokenFile != null ? Files.readString(tokenFile, StandardCharsets.UTF_8).strip()
                : System.getenv("ZKTP_ADMIN_TOKEN");
        HostPort address = HostPort.parse(admin);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + address + "/reload"))
                .timeout(Duration.ofMillis(timeoutMs))
                .POST(HttpRequest.BodyPublishers.noBody());
        if (token != null && !token.isEmpty()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(timeoutMs)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("error: cannot reach the admin API at " + address + ": " + e.getMessage());
            return 2;
        }
        String body = response.body().strip();
        return switch (response.statusCode()) {
            case 200 -> {
                out.println(body);
                yield 0;
            }
            case 422 -> {
                out.println(body);
                yield 1;
            }
            default -> {
                err.println("error: " + response.statusCode() + ": " + body);
                yield 2;
            }
        };
    }
}
