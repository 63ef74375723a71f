package io.zktenantproxy.proxy.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zktenantproxy.proxy.config.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks {@code deploy/kubernetes} in every build: each kustomization builds (its resources, patches and generator
 * files exist), the references between objects resolve ({@link ReferenceChecks}), and the proxy containers' settings
 * are accepted by the proxy's own command line and validation ({@link ProxyChecks}). The second half breaks a copy
 * of the real manifests in one place per check and expects that check, and only a check, to object.
 */
class KubernetesManifestsTest {
    private static final Path ROOT = Manifests.root();

    @Test
    void everyKustomizationBuildsAndEveryOtherFileParses() {
        List<Path> kustomizations = Manifests.kustomizations(ROOT);
        assertEquals(4, kustomizations.size(), kustomizations.toString());
        for (Path dir : kustomizations) {
            Manifests.Build build = Manifests.build(dir);
            assertEquals(List.of(), build.problems(), dir.toString());
            assertFalse(build.objects().isEmpty(), dir + " builds nothing");
        }
        List<Path> unclaimed = Manifests.unclaimedFiles(ROOT);
        assertEquals(List.of(ROOT.resolve("sidecar/flink-conf.yaml"), ROOT.resolve("sidecar/pod-template.yaml")),
                unclaimed);
        assertEquals(List.of(), Manifests.file(ROOT.resolve("sidecar/pod-template.yaml")).problems());
    }

    @Test
    void referencesResolveInEveryBuild() {
        for (List<ObjectNode> objects : builds()) {
            assertEquals(List.of(), all(objects));
        }
    }

    @Test
    void theSharedProxyHasWhatAHighlyAvailableProxyNeeds() {
        List<ObjectNode> shared = Manifests.build(ROOT.resolve("shared")).objects();
        ObjectNode deployment = ReferenceChecks.ofKind(shared, "Deployment").get(0);
        assertTrue(deployment.path("spec").path("replicas").asInt() >= 2);
        assertTrue(deployment.path("spec").path("template").path("spec").path("affinity").path("podAntiAffinity")
                .path("requiredDuringSchedulingIgnoredDuringExecution").get(0).path("topologyKey").asText()
                .equals("kubernetes.io/hostname"));
        assertEquals(1, ReferenceChecks.ofKind(shared, "PodDisruptionBudget").size());
        assertEquals(1, ReferenceChecks.ofKind(shared, "NetworkPolicy").size());
        List<ObjectNode> ensemble = Manifests.build(ROOT.resolve("ensemble")).objects();
        JsonNode clientRule = ensemble.get(0).path("spec").path("ingress").get(0);
        assertEquals("[2181,2281]", clientRule.path("ports").findValuesAsText("port").toString().replace(" ", ""));
    }

    @Test
    void proxyContainersAreAcceptedByTheProxy() {
        int checked = 0;
        List<String> problems = new ArrayList<>();
        for (List<ObjectNode> objects : builds()) {
            for (ReferenceChecks.PodSpec pod : ReferenceChecks.pods(objects)) {
                for (JsonNode c : pod.containers()) {
                    if (ProxyChecks.isProxy(c)) {
                        ProxyChecks.Result result = ProxyChecks.check(objects, pod, c);
                        problems.addAll(result.problems());
                        if (result.config() != null && result.config().upstream().secretFile() == null) {
                            problems.add(pod.owner() + " runs without the upstream secret");
                        }
                        checked++;
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(4, checked, "shared alone and among all bases, shared with TLS, the Flink sidecar");
    }

    @Test
    void flinkIsPointedAtItsSidecar() throws IOException {
        assertEquals(List.of(), flinkProblems(Files.readString(ROOT.resolve("sidecar/flink-conf.yaml"))));
    }

    @Test
    void whatTheChecksSeeIsWrittenForTheSchemaCheck() throws IOException {
        // KubernetesSchemaIT renders again by itself; writing here too leaves the files for a hand-run validate.mjs
        // after a plain mvn test, and shows the YAML reads back as the very objects the checks above looked at.
        Path dir = RenderedManifests.dir(ROOT);
        List<Path> written = RenderedManifests.write(ROOT, dir);
        assertEquals(List.of("ensemble.yaml", "monitoring.yaml", "overlays-shared-tls.yaml", "shared.yaml",
                "sidecar-pod-template.yaml"), written.stream().map(p -> p.getFileName().toString()).toList());
        for (Map.Entry<String, Manifests.Build> build : RenderedManifests.builds(ROOT).entrySet()) {
            Path file = dir.resolve(build.getKey() + ".yaml");
            assertEquals(build.getValue().objects(), Manifests.file(file).objects(), file.toString());
        }
    }

    // ---- each check objects to a broken manifest ----

    @Test
    void aMissingResourcePatchOrGeneratorFileIsReported(@TempDir Path copy) throws IOException {
        for (String file : List.of("shared/pdb.yaml", "shared/proxy.yaml", "overlays/shared-tls/deployment-tls.yaml",
                "monitoring/servicemonitor.yaml")) {
            Path root = copyTree(copy.resolve(file.replace('/', '_')));
            Files.delete(root.resolve(file));
            Path dir = root.resolve(file).getParent();
            List<String> problems = Manifests.build(dir).problems();
            assertTrue(problems.stream().anyMatch(p -> p.contains("no such file")), file + ": " + problems);
        }
    }

    @Test
    void aServiceSelectingNoPodIsReported() {
        assertBroken(ReferenceChecks::serviceSelectors, "Service", "zk-fraud",
                s -> ((ObjectNode) s.path("spec").path("selector")).put("app.kubernetes.io/component", "shard-proxy"));
        assertBroken(ReferenceChecks::serviceSelectors, "Service", "zk-fraud",
                s -> ((ObjectNode) s.path("spec").path("ports").get(0)).put("targetPort", "zk-frauds"));
    }

    @Test
    void aMissingConfigMapSecretOrKeyIsReported() {
        assertBroken(ReferenceChecks::configReferences, "Deployment", "zk-tenant-proxy",
                d -> ((ObjectNode) volume(d, "config").path("configMap")).put("name", "zk-tenant-proxy-conf"));
        assertBroken(ReferenceChecks::configReferences, "Deployment", "zk-tenant-proxy",
                d -> ((ObjectNode) volume(d, "config").path("configMap")).putArray("items").addObject()
                        .put("key", "proxy.yml").put("path", "proxy.yml"));
        assertBroken(ReferenceChecks::configReferences, "Deployment", "zk-tenant-proxy",
                d -> ((ObjectNode) volume(d, "upstream-secret-in").path("secret")).put("secretName", "zktp-upstream"));
    }

    @Test
    void aProbeOnAnUndeclaredPortIsReported() {
        assertBroken(ReferenceChecks::probesAndMounts, "Deployment", "zk-tenant-proxy",
                d -> ((ObjectNode) proxyContainer(d).path("readinessProbe").path("httpGet")).put("port", "admn"));
        assertBroken(ReferenceChecks::probesAndMounts, "Deployment", "zk-tenant-proxy",
                d -> ((ObjectNode) proxyContainer(d).path("livenessProbe").path("httpGet")).put("port", 7453));
    }

    @Test
    void aBudgetSelectingNoPodIsReported() {
        assertBroken(ReferenceChecks::disruptionBudgets, "PodDisruptionBudget", "zk-tenant-proxy",
                p -> ((ObjectNode) p.path("spec").path("selector").path("matchLabels"))
                        .put("app.kubernetes.io/name", "zk-tenant-prxy"));
    }

    @Test
    void aServiceMonitorOnAnUnnamedPortIsReported() {
        assertBroken(ReferenceChecks::serviceMonitors, "ServiceMonitor", "zk-tenant-proxy",
                m -> ((ObjectNode) m.path("spec").path("endpoints").get(0)).put("port", "metrics"));
    }

    @Test
    void aConfigurationTheProxyRefusesIsReported() {
        Function<List<ObjectNode>, List<String>> proxy = KubernetesManifestsTest::proxyProblems;
        assertBroken(proxy, "ConfigMap", "zk-tenant-proxy-config", cm -> ((ObjectNode) cm.path("data")).put(
                "proxy.yaml", cm.path("data").path("proxy.yaml").asText().replace("listen: 0.0.0.0:7463",
                        "listen: 0.0.0.0:7462")));
        assertBroken(proxy, "ConfigMap", "zk-tenant-proxy-config", cm -> ((ObjectNode) cm.path("data")).put(
                "proxy.yaml", cm.path("data").path("proxy.yaml").asText().replace("createChroots:", "createChroot:")));
        assertBroken(proxy, "ConfigMap", "zk-tenant-proxy-config", cm -> ((ObjectNode) cm.path("data"))
                .remove("proxy.yaml"));
        assertBroken(proxy, "Deployment", "zk-tenant-proxy", d -> ((ArrayNode) proxyContainer(d).path("ports"))
                .remove(1));
        assertBroken(proxy, "Deployment", "zk-tenant-proxy", d -> ((ArrayNode) proxyContainer(d).path("volumeMounts"))
                .remove(1));
        assertBroken(proxy, "Deployment", "zk-tenant-proxy", d -> ((ObjectNode) proxyContainer(d)).putArray("args")
                .add("--config").add("/etc/zk-tenant-proxy/proxy.yaml"));
    }

    @Test
    void sidecarSettingsTheJarRefusesAreReported() {
        List<ObjectNode> pod = Manifests.file(ROOT.resolve("sidecar/pod-template.yaml")).objects();
        for (Consumer<ArrayNode> breakIt : List.<Consumer<ArrayNode>>of(
                env -> setEnv(env, "ZKTP_TENNANT", "acme"),
                env -> setEnv(env, "ZKTP_REQUESTS_PER_SECOND", "many"),
                env -> setEnv(env, "ZKTP_CHROOT", "tenants/acme"),
                env -> setEnv(env, "ZKTP_LISTEN", "127.0.0.1:7452"),
                env -> setEnv(env, "ZKTP_UPSTREAM_SECRET_FILE", "/etc/zk-tenant-proxy/upstream-secret"))) {
            List<ObjectNode> copy = deepCopy(pod);
            breakIt.accept((ArrayNode) proxyContainer(copy.get(0)).path("env"));
            assertFalse(proxyProblems(copy).isEmpty());
        }
        assertFalse(flinkProblems("high-availability.zookeeper.quorum: localhost:7452\n").isEmpty());
        assertFalse(flinkProblems("high-availability.zookeeper.quorum: zk-0.zookeeper.svc:2181\n").isEmpty());
    }

    // ---- helpers ----

    /**
     * The builds whose references must resolve: each kustomization and the pod template, as written for the schema
     * check ({@link RenderedManifests}), and the three base kustomizations together.
     */
    private static List<List<ObjectNode>> builds() {
        List<List<ObjectNode>> builds = new ArrayList<>();
        List<ObjectNode> bases = new ArrayList<>();
        for (Manifests.Build build : RenderedManifests.builds(ROOT).values()) {
            builds.add(build.objects());
            if (Files.isDirectory(build.source()) && !build.source().startsWith(ROOT.resolve("overlays"))) {
                bases.addAll(build.objects());
            }
        }
        builds.add(bases); // the ServiceMonitor (monitoring) selects a Service of the shared proxy
        return builds;
    }

    private static List<String> all(List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        problems.addAll(ReferenceChecks.serviceSelectors(objects));
        problems.addAll(ReferenceChecks.disruptionBudgets(objects));
        problems.addAll(ReferenceChecks.configReferences(objects));
        problems.addAll(ReferenceChecks.probesAndMounts(objects));
        if (objects.stream().anyMatch(o -> o.path("kind").asText().equals("Service"))) {
            problems.addAll(ReferenceChecks.serviceMonitors(objects));
        }
        return problems;
    }

    private static List<String> proxyProblems(List<ObjectNode> objects) {
        List<String> problems = new ArrayList<>();
        for (ReferenceChecks.PodSpec pod : ReferenceChecks.pods(objects)) {
            for (JsonNode c : pod.containers()) {
                if (ProxyChecks.isProxy(c)) {
                    problems.addAll(ProxyChecks.check(objects, pod, c).problems());
                }
            }
        }
        return problems;
    }

    /** Flink's quorum is the sidecar of the pod template: on loopback, at the port it listens on. */
    private static List<String> flinkProblems(String flinkConf) {
        List<String> problems = new ArrayList<>();
        JsonNode conf;
        try {
            conf = Manifests.YAML.readTree(flinkConf);
        } catch (IOException e) {
            return List.of("flink-conf.yaml: " + e.getMessage());
        }
        JsonNode template = Manifests.file(ROOT.resolve("sidecar/pod-template.yaml")).objects().get(0);
        String listen = proxyContainer(template).path("env").findParents("name").stream()
                .filter(e -> e.path("name").asText().equals("ZKTP_LISTEN")).map(e -> e.path("value").asText())
                .findFirst().orElse("?:0");
        HostPort sidecar = HostPort.parse(listen);
        for (String server : conf.path("high-availability.zookeeper.quorum").asText("").split(",")) {
            HostPort quorum = HostPort.parse(server.strip());
            if (!List.of("localhost", "127.0.0.1").contains(quorum.host()) || quorum.port() != sidecar.port()
                    || !sidecar.host().equals("127.0.0.1")) {
                problems.add("flink-conf.yaml: quorum " + server + " is not the sidecar listening on " + listen);
            }
        }
        return problems;
    }

    /** Runs {@code check} on the real manifests (no problem), then on a copy with one object broken (a problem). */
    private static void assertBroken(Function<List<ObjectNode>, List<String>> check, String kind, String name,
            Consumer<ObjectNode> breakIt) {
        List<ObjectNode> objects = Stream.of(ROOT.resolve("shared"), ROOT.resolve("monitoring"))
                .flatMap(dir -> Manifests.build(dir).objects().stream()).toList();
        assertEquals(List.of(), check.apply(objects), "before breaking " + kind + "/" + name);
        List<ObjectNode> copy = deepCopy(objects);
        ObjectNode target = copy.stream().filter(o -> o.path("kind").asText().equals(kind)
                && o.path("metadata").path("name").asText().equals(name)).findFirst().orElseThrow();
        breakIt.accept(target);
        assertFalse(check.apply(copy).isEmpty(), "nothing reported after breaking " + kind + "/" + name);
    }

    /** Sets a variable's value, adding the variable if the container has none of that name. */
    private static void setEnv(ArrayNode env, String name, String value) {
        for (JsonNode e : env) {
            if (e.path("name").asText().equals(name)) {
                ((ObjectNode) e).put("value", value);
                return;
            }
        }
        env.addObject().put("name", name).put("value", value);
    }

    private static List<ObjectNode> deepCopy(List<ObjectNode> objects) {
        return objects.stream().map(ObjectNode::deepCopy).toList();
    }

    private static JsonNode proxyContainer(JsonNode workload) {
        JsonNode spec = workload.path("kind").asText().equals("Pod") ? workload.path("spec")
                : workload.path("spec").path("template").path("spec");
        for (String list : List.of("containers", "initContainers")) {
            for (JsonNode c : spec.path(list)) {
                if (c.path("name").asText().equals("zk-tenant-proxy")) {
                    return c;
                }
            }
        }
        throw new AssertionError("no zk-tenant-proxy container");
    }

    private static JsonNode volume(JsonNode deployment, String name) {
        for (JsonNode v : deployment.path("spec").path("template").path("spec").path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    /** Copies deploy/kubernetes and the dashboard it generates from, keeping their relative places. */
    private static Path copyTree(Path to) throws IOException {
        Path repo = ROOT.getParent().getParent();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(repo.relativize(f).toString());
                Files.createDirectories(target.getParent());
                Files.copy(f, target);
            }
        }
        Path dashboard = to.resolve("config/grafana-dashboard.json");
        Files.createDirectories(dashboard.getParent());
        Files.copy(repo.resolve("config/grafana-dashboard.json"), dashboard);
        return to.resolve("deploy/kubernetes");
    }
}
