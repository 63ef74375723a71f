package io.zktenantproxy.proxy.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Validates every object {@code deploy/kubernetes} renders against the Kubernetes OpenAPI schemas, offline: renders
 * each build as {@link KubernetesManifestsTest} sees it ({@link RenderedManifests}, to
 * {@code proxy/target/k8s-rendered}) and runs {@code deploy/kubernetes/schema-check/validate.mjs} on the files with
 * Node.js. The schemas are those of the npm packages {@code kubernetes-models} and
 * {@code @kubernetes-models/prometheus-operator}, pinned by schema-check's {@code package-lock.json}; they catch wrong
 * types, not unknown fields or enum values (docs/DEPLOY.md).
 *
 * <p>An integration test because it needs Node.js and {@code npm ci} in schema-check, which {@code .ci/run} does.
 * Without them the test is skipped, saying what is missing; with {@code CI=true} it fails instead.
 */
class KubernetesSchemaIT {
    /** One node process validating a few dozen objects; generous for a cold start on a loaded 2-core machine. */
    private static final long NODE_MINUTES = 5;

    @Test
    void everyRenderedObjectMatchesItsSchema() throws IOException, InterruptedException {
        Path root = Manifests.root();
        Path schemaCheck = root.resolve("schema-check");
        requireNodeAndPackages(schemaCheck);
        // Rendered here rather than read from the unit test's output, so this test holds when run on its own.
        Path dir = RenderedManifests.dir(root);
        List<Path> files = RenderedManifests.write(root, dir);
        int objects = RenderedManifests.builds(root).values().stream().mapToInt(b -> b.objects().size()).sum();

        List<String> command = new ArrayList<>(List.of("node", schemaCheck.resolve("validate.mjs").toString()));
        files.forEach(f -> command.add(f.toString()));
        Path log = dir.resolve("validate.log");
        // Output to a file, not a pipe: nothing has to drain it while we wait, and it stays for a look afterwards.
        Process node = new ProcessBuilder(command).directory(schemaCheck.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!node.waitFor(NODE_MINUTES, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + NODE_MINUTES + " minutes:\n" + read(log));
        }
        String output = read(log);
        assertEquals(0, node.exitValue(), "validate.mjs reports problems (exit " + node.exitValue() + "):\n" + output);
        // Its own count must cover every object: a run that silently read nothing would also exit 0.
        assertTrue(output.contains(objects + " passed, 0 failed"),
                "expected all " + objects + " rendered objects checked:\n" + output);
    }

    /** Skips (or, on CI, fails) unless node is on the PATH and {@code npm ci} installed every dependency. */
    private static void requireNodeAndPackages(Path schemaCheck) throws IOException {
        List<String> missing = new ArrayList<>();
        if (!onPath("node")) {
            missing.add("Node.js (node) is not on the PATH");
        }
        JsonNode pkg = new ObjectMapper().readTree(schemaCheck.resolve("package.json").toFile());
        for (Iterator<String> names = pkg.path("dependencies").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!Files.isRegularFile(schemaCheck.resolve("node_modules").resolve(name).resolve("package.json"))) {
                missing.add(name + " is not in " + schemaCheck.resolve("node_modules"));
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String message = "the schema check cannot run: " + String.join("; ", missing)
                + ". .ci/run installs the packages with npm ci in deploy/kubernetes/schema-check (Node.js 20+, npm)";
        if ("true".equals(System.getenv("CI"))) {
            fail(message);
        }
        Assumptions.abort(message);
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
