package io.zktenantproxy.proxy.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@link Manifests} renders, written out for {@code deploy/kubernetes/schema-check/validate.mjs}
 * ({@link KubernetesSchemaIT}): one multi-document YAML file per build in {@code proxy/target/k8s-rendered}, so the
 * schema check reads the very objects the reference and proxy checks of {@link KubernetesManifestsTest} see, and
 * needs no {@code kubectl kustomize}.
 */
final class RenderedManifests {
    private RenderedManifests() {
    }

    /** @return {@code proxy/target/k8s-rendered} of the repository holding {@code root} */
    static Path dir(Path root) {
        return root.getParent().getParent().resolve("proxy").resolve("target").resolve("k8s-rendered");
    }

    /**
     * Every build of {@code root}: each kustomization, named by its directory under {@code root} with {@code -} for
     * {@code /} ({@code overlays-shared-tls}), and each manifest file no kustomization reads, named by its path
     * without {@code .yaml} ({@code sidecar-pod-template}). Non-manifest YAML ({@code flink-conf.yaml}) is left out.
     */
    static Map<String, Manifests.Build> builds(Path root) {
        Map<String, Manifests.Build> builds = new LinkedHashMap<>();
        for (Path dir : Manifests.kustomizations(root)) {
            builds.put(name(root, dir), Manifests.build(dir));
        }
        for (Path file : Manifests.unclaimedFiles(root)) {
            // Flink's own settings are YAML too, but not a Kubernetes object: only files that are all objects count.
            Manifests.Build plain = Manifests.file(file);
            if (plain.problems().isEmpty() && !plain.objects().isEmpty()) {
                builds.put(name(root, file).replaceFirst("\\.yaml$", ""), plain);
            }
        }
        return builds;
    }

    /**
     * Writes each of {@link #builds(Path)} to {@code dir/<name>.yaml}, after removing the YAML files a previous run
     * left there (a renamed or deleted kustomization must not be validated from a stale copy).
     *
     * @return the files written, in build order
     * @throws IllegalStateException if a build has problems: its objects would be incomplete
     */
    static List<Path> write(Path root, Path dir) throws IOException {
        Map<String, Manifests.Build> builds = builds(root);
        List<String> problems = new ArrayList<>();
        builds.values().forEach(b -> problems.addAll(b.problems()));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("deploy/kubernetes does not build: " + problems);
        }
        Files.createDirectories(dir);
        try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.filter(f -> f.getFileName().toString().endsWith(".yaml")).toList()) {
                Files.delete(f);
            }
        }
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, Manifests.Build> build : builds.entrySet()) {
            Path file = dir.resolve(build.getKey() + ".yaml");
            Files.writeString(file, yaml(build.getValue().objects()), StandardCharsets.UTF_8);
            written.add(file);
        }
        return written;
    }

    /**
     * The objects as one YAML stream. Jackson starts every document with {@code ---} and double-quotes every string,
     * so no value can turn into another type when js-yaml reads it back ({@code "on"}, {@code "0755"}).
     */
    static String yaml(List<ObjectNode> objects) throws IOException {
        StringBuilder out = new StringBuilder();
        for (ObjectNode o : objects) {
            out.append(Manifests.YAML.writeValueAsString(o));
        }
        return out.toString();
    }

    private static String name(Path root, Path path) {
        return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "-");
    }
}
