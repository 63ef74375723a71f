package io.zktenantproxy.proxy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The references between Kubernetes objects that {@code kubectl apply} does not check and a cluster only reports
 * by not working: Service and PodDisruptionBudget selectors, ConfigMaps and Secrets named by volumes and env, probe
 * and Service target ports, volume mounts, ServiceMonitor selectors. Each method returns one line per problem,
 * naming the object and the reference; an empty list means every reference resolves.
 */
final class ReferenceChecks {
    /** Pod annotation naming, comma-separated, the Secrets the operator creates (they are never committed). */
    static final String OPERATOR_SECRETS = "zk-tenant-proxy/operator-provided-secrets";
    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet", "Job");

    /** A pod as a workload or a bare Pod (Flink's template) defines it. */
    record PodSpec(String owner, String namespace, JsonNode labels, JsonNode annotations, JsonNode spec) {
        /** @return init containers (sidecars included) and containers */
        List<JsonNode> containers() {
            List<JsonNode> all = new ArrayList<>();
            spec.path("initContainers").forEach(all::add);
            spec.path("containers").forEach(all::add);
            return all;
        }
    }

    private ReferenceChecks() {
    }

    static List<PodSpec> pods(List<ObjectNode> objects) {
        List<PodSpec> pods = new ArrayList<>();
        for (ObjectNode o : objects) {
            String kind = o.path("kind").asText();
            if (WORKLOADS.contains(kind)) {
                JsonNode template = o.path("spec").path("template");
                pods.add(new PodSpec(id(o), namespace(o), template.path("metadata").path("labels"),
                        template.path("metadata").path("annotations"), template.path("spec")));
            } else if (kind.equals("Pod")) {
                pods.add(new PodSpec(id(o), namespace(o), o.path("metadata").path("labels"),
                        o.path("metadata").path("annotations"), o.path("spec")));
            }
        }
        return pods;
    }

    /** Every Service selector selects some pod of the namespace, and its named target ports are that pod's. */
    static List<String> serviceSelectors(List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode service : ofKind(objects, "Service")) {
            JsonNode selector = service.path("spec").path("selector");
            if (selector.isEmpty()) {
                continue; // a Service without a selector has its endpoints managed by hand
            }
            List<PodSpec> selected = pods(objects).stream()
                    .filter(p -> p.namespace().equals(namespace(service)) && matches(selector, p.labels())).toList();
            if (selected.isEmpty()) {
                problems.add(id(service) + ": selector " + selector + " matches no pod's labels");
            }
            for (JsonNode port : service.path("spec").path("ports")) {
                JsonNode target = port.path("targetPort");
                for (PodSpec pod : selected) {
                    if (!target.isMissingNode() && !hasPort(pod.containers(), target)) {
                        problems.add(id(service) + ": targetPort " + target + " is no container port of "
                                + pod.owner());
                    }
                }
            }
        }
        return problems;
    }

    /** Every PodDisruptionBudget selects the pods of a workload in its namespace. */
    static List<String> disruptionBudgets(List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode pdb : ofKind(objects, "PodDisruptionBudget")) {
            JsonNode selector = pdb.path("spec").path("selector").path("matchLabels");
            boolean any = pods(objects).stream().anyMatch(p -> !p.owner().startsWith("Pod/")
                    && p.namespace().equals(namespace(pdb)) && !selector.isEmpty() && matches(selector, p.labels()));
            if (!any) {
                problems.add(id(pdb) + ": selector " + selector + " matches no workload's pods");
            }
        }
        return problems;
    }

    /** ConfigMaps and Secrets named by volumes, env and envFrom exist, with the keys named. */
    static List<String> configReferences(List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        for (PodSpec pod : pods(objects)) {
            List<String> external = Arrays.stream(pod.annotations().path(OPERATOR_SECRETS).asText("").split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            List<String> used = new ArrayList<>();
            for (JsonNode volume : pod.spec().path("volumes")) {
                String where = pod.owner() + " volume " + volume.path("name").asText();
                if (volume.has("configMap")) {
                    JsonNode cm = volume.get("configMap");
                    requireKeys(objects, pod, "ConfigMap", cm.path("name").asText(), keys(cm.path("items")),
                            cm.path("optional").asBoolean(), List.of(), where, problems);
                }
                if (volume.has("secret")) {
                    JsonNode s = volume.get("secret");
                    used.add(s.path("secretName").asText());
                    requireKeys(objects, pod, "Secret", s.path("secretName").asText(), keys(s.path("items")),
                            s.path("optional").asBoolean(), external, where, problems);
                }
            }
            for (JsonNode c : pod.containers()) {
                String where = pod.owner() + " container " + c.path("name").asText();
                for (JsonNode env : c.path("env")) {
                    JsonNode from = env.path("valueFrom");
                    for (String kind : List.of("ConfigMap", "Secret")) {
                        JsonNode ref = from.path(kind.equals("Secret") ? "secretKeyRef" : "configMapKeyRef");
                        if (ref.isObject()) {
                            used.add(ref.path("name").asText());
                            requireKeys(objects, pod, kind, ref.path("name").asText(),
                                    List.of(ref.path("key").asText()), ref.path("optional").asBoolean(), external,
                                    where + " env " + env.path("name").asText(), problems);
                        }
                    }
                }
                for (JsonNode envFrom : c.path("envFrom")) {
                    for (String kind : List.of("ConfigMap", "Secret")) {
                        JsonNode ref = envFrom.path(kind.equals("Secret") ? "secretRef" : "configMapRef");
                        if (ref.isObject()) {
                            used.add(ref.path("name").asText());
                            requireKeys(objects, pod, kind, ref.path("name").asText(), List.of(),
                                    ref.path("optional").asBoolean(), external, where + " envFrom", problems);
                        }
                    }
                }
            }
            // The annotation is an exception to this check: it may name only Secrets that are in fact used.
            external.stream().filter(name -> !used.contains(name)).forEach(name -> problems.add(pod.owner() + ": "
                    + OPERATOR_SECRETS + " names " + name + ", which no volume or env uses"));
        }
        return problems;
    }

    /** Every probe's port is one of its container's ports, by name or number; every mount names a volume. */
    static List<String> probesAndMounts(List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        for (PodSpec pod : pods(objects)) {
            List<String> volumes = new ArrayList<>();
            pod.spec().path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
            for (JsonNode c : pod.containers()) {
                String where = pod.owner() + " container " + c.path("name").asText();
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    JsonNode p = c.path(probe);
                    for (String handler : List.of("httpGet", "tcpSocket", "grpc")) {
                        JsonNode port = p.path(handler).path("port");
                        if (!port.isMissingNode() && !hasPort(List.of(c), port)) {
                            problems.add(where + ": " + probe + " port " + port + " is none of its ports");
                        }
                    }
                }
                for (JsonNode mount : c.path("volumeMounts")) {
                    if (!volumes.contains(mount.path("name").asText())) {
                        problems.add(where + ": volumeMount " + mount.path("name").asText() + " names no volume");
                    }
                }
            }
        }
        return problems;
    }

    /** Every ServiceMonitor selects a Service that has each endpoint's port name. */
    static List<String> serviceMonitors(List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        for (ObjectNode monitor : ofKind(objects, "ServiceMonitor")) {
            JsonNode selector = monitor.path("spec").path("selector").path("matchLabels");
            List<ObjectNode> services = ofKind(objects, "Service").stream().filter(s -> namespace(s).equals(
                    namespace(monitor)) && !selector.isEmpty() && matches(selector, s.path("metadata").path("labels")))
                    .toList();
            if (services.isEmpty()) {
                problems.add(id(monitor) + ": selector " + selector + " matches no Service");
            }
            for (JsonNode endpoint : monitor.path("spec").path("endpoints")) {
                for (ObjectNode s : services) {
                    boolean named = false;
                    for (JsonNode port : s.path("spec").path("ports")) {
                        named |= port.path("name").equals(endpoint.path("port"));
                    }
                    if (!named) {
                        problems.add(id(monitor) + ": port " + endpoint.path("port") + " is not named in " + id(s));
                    }
                }
            }
        }
        return problems;
    }

    private static void requireKeys(List<ObjectNode> objects, PodSpec pod, String kind, String name, List<String> keys,
            boolean optional, List<String> external, String where, List<String> problems) {
        ObjectNode found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)
                && o.path("metadata").path("name").asText().equals(name) && namespace(o).equals(pod.namespace()))
                .findFirst().orElse(null);
        if (found == null) {
            if (!optional && !external.contains(name)) {
                problems.add(where + ": " + kind + " " + name + " does not exist in namespace " + pod.namespace()
                        + (kind.equals("Secret") ? " (nor is it named in " + OPERATOR_SECRETS + ")" : ""));
            }
            return;
        }
        for (String key : keys) {
            boolean has = Stream.of("data", "binaryData", "stringData").anyMatch(f -> found.path(f).has(key));
            if (!has) {
                problems.add(where + ": " + kind + " " + name + " has no key " + key);
            }
        }
    }

    private static List<String> keys(JsonNode items) {
        List<String> keys = new ArrayList<>();
        items.forEach(i -> keys.add(i.path("key").asText()));
        return keys;
    }

    static boolean hasPort(List<JsonNode> containers, JsonNode port) {
        for (JsonNode c : containers) {
            for (JsonNode p : c.path("ports")) {
                if (port.isTextual() ? p.path("name").equals(port) : p.path("containerPort").asInt() == port.asInt()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return whether every label of the selector is among {@code labels} with the same value */
    static boolean matches(JsonNode selector, JsonNode labels) {
        for (Iterator<Map.Entry<String, JsonNode>> it = selector.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!labels.path(e.getKey()).asText("\0").equals(e.getValue().asText())) {
                return false;
            }
        }
        return true;
    }

    static List<ObjectNode> ofKind(List<ObjectNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    static String namespace(JsonNode o) {
        return o.path("metadata").path("namespace").asText("default");
    }

    static String id(JsonNode o) {
        return o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
    }
}
