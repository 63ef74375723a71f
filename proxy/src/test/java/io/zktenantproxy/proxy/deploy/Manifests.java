package io.zktenantproxy.proxy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads {@code deploy/kubernetes}: every kustomization built the way {@code kubectl kustomize} builds the subset of
 * kustomize these manifests use (resources, strategic-merge patches from files, ConfigMap and Secret generators from
 * files, the namespace), and every other manifest file as it stands. Anything else in a kustomization is reported as
 * a problem rather than ignored, so a check can never pass because this reader skipped what it did not understand.
 * Files it reads must exist: that is the "generators and patches resolve" check.
 */
final class Manifests {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KUSTOMIZATION_KEYS =
            Set.of("apiVersion", "kind", "namespace", "resources", "patches", "configMapGenerator");
    /** Strategic-merge keys of the lists these manifests patch (containers, volumes, env; mounts; ports). */
    private static final List<String> MERGE_KEYS = List.of("name", "mountPath", "containerPort", "port");

    /** One kustomization's output, or one plain manifest file's documents. */
    record Build(Path source, List<ObjectNode> objects, List<String> problems) {
    }

    private Manifests() {
    }

    /** @return the directory, from the proxy module (Surefire's working directory) or the repository root */
    static Path root() {
        Path fromModule = Path.of("..", "deploy", "kubernetes");
        Path root = Files.isDirectory(fromModule) ? fromModule : Path.of("deploy", "kubernetes");
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("deploy/kubernetes not found from " + Path.of("").toAbsolutePath());
        }
        return root.toAbsolutePath().normalize();
    }

    /** @return every directory under {@code root} holding a kustomization.yaml */
    static List<Path> kustomizations(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> !inNodeModules(p) && p.getFileName().toString().equals("kustomization.yaml"))
                    .map(Path::getParent).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return YAML files under {@code root} that no kustomization reads (Flink's pod template, its settings) */
    static List<Path> unclaimedFiles(Path root) {
        Set<Path> claimed = new LinkedHashSet<>();
        for (Path dir : kustomizations(root)) {
            claimed.add(dir.resolve("kustomization.yaml").normalize());
            build(dir, claimed);
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> !inNodeModules(p) && p.toString().endsWith(".yaml")
                    && !claimed.contains(p.normalize()))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** schema-check/'s npm packages (npm ci, by .ci/run or by hand; never committed) hold YAML of their own. */
    private static boolean inNodeModules(Path p) {
        for (Path part : p) {
            if (part.toString().equals("node_modules")) {
                return true;
            }
        }
        return false;
    }

    /** Builds the kustomization in {@code dir}. */
    static Build build(Path dir) {
        return build(dir, new LinkedHashSet<>());
    }

    private static Build build(Path dir, Set<Path> claimed) {
        List<ObjectNode> objects = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Path file = dir.resolve("kustomization.yaml");
        JsonNode k;
        try {
            k = YAML.readTree(file.toFile());
        } catch (IOException e) {
            return new Build(dir, objects, List.of(file + ": " + e.getMessage()));
        }
        k.fieldNames().forEachRemaining(key -> {
            if (!KUSTOMIZATION_KEYS.contains(key)) {
                problems.add(file + ": " + key + ": not understood by this check (expected one of "
                        + KUSTOMIZATION_KEYS + ")");
            }
        });
        for (JsonNode resource : k.path("resources")) {
            Path path = dir.resolve(resource.asText()).normalize();
            if (Files.isDirectory(path)) {
                if (!Files.exists(path.resolve("kustomization.yaml"))) {
                    problems.add(file + ": resource " + resource.asText() + ": a directory without kustomization.yaml");
                    continue;
                }
                Build inner = build(path, claimed);
                objects.addAll(inner.objects());
                problems.addAll(inner.problems());
            } else if (Files.isRegularFile(path)) {
                claimed.add(path);
                Build plain = file(path);
                objects.addAll(plain.objects());
                problems.addAll(plain.problems());
            } else {
                problems.add(file + ": resource " + resource.asText() + ": no such file or directory");
            }
        }
        for (JsonNode generator : k.path("configMapGenerator")) {
            generate(dir, file, generator, objects, problems, claimed);
        }
        for (JsonNode patch : k.path("patches")) {
            patch(dir, file, patch, objects, problems, claimed);
        }
        if (k.hasNonNull("namespace")) {
            // kustomize sets the namespace of every object it emits, generated ones included.
            objects.forEach(o -> o.with("metadata").put("namespace", k.get("namespace").asText()));
        }
        return new Build(dir, objects, problems);
    }

    /** Reads every document of a plain manifest file; each must name its apiVersion, kind and metadata.name. */
    static Build file(Path path) {
        List<ObjectNode> objects = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(path.toFile())) {
            int index = 0;
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                if (!doc.isObject() || !doc.hasNonNull("apiVersion") || !doc.hasNonNull("kind")
                        || !doc.path("metadata").hasNonNull("name")) {
                    problems.add(path + ": document " + index + ": expected apiVersion, kind and metadata.name");
                } else {
                    objects.add((ObjectNode) doc);
                }
                index++;
            }
        } catch (IOException e) {
            problems.add(path + ": not valid YAML: " + e.getMessage());
        }
        return new Build(path, objects, problems);
    }

    private static void generate(Path dir, Path file, JsonNode generator, List<ObjectNode> objects,
            List<String> problems, Set<Path> claimed) {
        String name = generator.path("name").asText();
        ObjectNode configMap = JsonNodeFactory.instance.objectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        configMap.with("metadata").put("name", name);
        if (generator.has("namespace")) {
            configMap.with("metadata").put("namespace", generator.get("namespace").asText());
        }
        JsonNode labels = generator.path("options").path("labels");
        if (labels.isObject()) {
            configMap.with("metadata").set("labels", labels.deepCopy());
        }
        ObjectNode data = configMap.with("data");
        for (JsonNode entry : generator.path("files")) {
            String spec = entry.asText();
            int eq = spec.indexOf('=');
            Path source = dir.resolve(eq < 0 ? spec : spec.substring(eq + 1)).normalize();
            String key = eq < 0 ? source.getFileName().toString() : spec.substring(0, eq);
            if (!Files.isRegularFile(source)) {
                problems.add(file + ": configMapGenerator " + name + ": " + spec + ": no such file");
                continue;
            }
            claimed.add(source);
            try {
                data.put(key, Files.readString(source));
            } catch (IOException e) {
                problems.add(file + ": configMapGenerator " + name + ": " + spec + ": " + e.getMessage());
            }
        }
        String behavior = generator.path("behavior").asText("create");
        boolean existed = objects.removeIf(o -> o.path("kind").asText().equals("ConfigMap")
                && o.path("metadata").path("name").asText().equals(name));
        if (existed != behavior.equals("replace")) {
            problems.add(file + ": configMapGenerator " + name + ": behavior " + behavior
                    + (existed ? " but a ConfigMap of that name exists" : " but no ConfigMap of that name exists"));
        }
        objects.add(configMap);
    }

    private static void patch(Path dir, Path file, JsonNode patch, List<ObjectNode> objects, List<String> problems,
            Set<Path> claimed) {
        if (!patch.hasNonNull("path") || patch.size() != 1) {
            problems.add(file + ": patch " + patch + ": only strategic-merge patches from a file are understood");
            return;
        }
        Path path = dir.resolve(patch.get("path").asText()).normalize();
        if (!Files.isRegularFile(path)) {
            problems.add(file + ": patch " + patch.get("path").asText() + ": no such file");
            return;
        }
        claimed.add(path);
        Build parsed = file(path);
        problems.addAll(parsed.problems());
        for (ObjectNode p : parsed.objects()) {
            ObjectNode target = objects.stream()
                    .filter(o -> o.path("kind").equals(p.path("kind"))
                            && o.path("metadata").path("name").equals(p.path("metadata").path("name")))
                    .findFirst().orElse(null);
            if (target == null) {
                problems.add(path + ": patches " + p.path("kind").asText() + " "
                        + p.path("metadata").path("name").asText() + ", which the kustomization does not have");
            } else {
                merge(target, p);
            }
        }
    }

    /** Strategic merge as far as these manifests need it: maps merge, lists of named things merge by that name. */
    static void merge(ObjectNode target, ObjectNode patch) {
        for (Iterator<String> names = patch.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode from = patch.get(name);
            JsonNode into = target.get(name);
            if (from.isObject() && into != null && into.isObject()) {
                merge((ObjectNode) into, (ObjectNode) from);
            } else if (from.isArray() && into != null && into.isArray() && mergeKey(into, from) != null) {
                String key = mergeKey(into, from);
                for (JsonNode item : from) {
                    ObjectNode same = null;
                    for (JsonNode existing : into) {
                        if (existing.get(key).equals(item.get(key))) {
                            same = (ObjectNode) existing;
                        }
                    }
                    if (same == null) {
                        ((ArrayNode) into).insert(0, item.deepCopy());
                    } else {
                        merge(same, (ObjectNode) item);
                    }
                }
            } else {
                target.set(name, from.deepCopy());
            }
        }
    }

    private static String mergeKey(JsonNode a, JsonNode b) {
        for (String key : MERGE_KEYS) {
            boolean all = true;
            for (JsonNode list : List.of(a, b)) {
                for (JsonNode item : list) {
                    all &= item.isObject() && item.has(key);
                }
            }
            if (all) {
                return key;
            }
        }
        return null;
    }
}
