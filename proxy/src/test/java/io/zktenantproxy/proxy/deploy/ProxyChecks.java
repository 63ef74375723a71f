package io.zktenantproxy.proxy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zktenantproxy.proxy.cli.ServeCommand;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What the proxy itself says of the proxy containers in the manifests: their arguments and {@code ZKTP_*} environment
 * parsed by the jar's own command line ({@link ServeCommand}, picocli; parsed, never started), and the configuration
 * they end up with validated by the proxy's own validation ({@link ConfigLoader} for a {@code --config} file mounted
 * from a ConfigMap, {@code ServeCommand}'s sidecar assembly for flags). Files the configuration names (the upstream
 * secret, certificates) cannot exist here; instead each must lie under one of the container's volume mounts, which
 * is what makes it exist in the pod. (check-config would read them and exit 2 on a missing one.)
 */
final class ProxyChecks {
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(ZKTP_[A-Z_]+)");

    /** The configuration a proxy container would run with, or the problems that stop it. */
    record Result(ProxyConfig config, List<String> problems) {
    }

    private ProxyChecks() {
    }

    /** @return whether {@code container} runs the proxy (its image is the proxy's and it has no command of its own) */
    static boolean isProxy(JsonNode container) {
        return container.path("image").asText().startsWith("zk-tenant-proxy") && !container.has("command");
    }

    /**
     * Parses the container's arguments and environment as the jar would, and validates the configuration they give.
     *
     * @param objects the build the container belongs to, where a {@code --config} file's ConfigMap is looked up
     */
    static Result check(List<ObjectNode> objects, ReferenceChecks.PodSpec pod, JsonNode container) {
        String where = pod.owner() + " container " + container.path("name").asText();
        List<String> problems = new ArrayList<>();
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        Map<String, String> envOptions = envOptions();
        for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            if (!name.startsWith("ZKTP_")) {
                continue;
            }
            String option = envOptions.get(name);
            if (option == null) {
                problems.add(where + ": env " + name + ": the proxy reads no such variable");
            } else if (!env.has("value")) {
                problems.add(where + ": env " + name + ": only literal values are checked");
            } else {
                // picocli reads ZKTP_* through defaults this JVM cannot set: the same value as the flag it stands for.
                args.add(0, option);
                args.add(1, env.get("value").asText());
            }
        }
        ServeCommand command = new ServeCommand();
        CommandLine cli = new CommandLine(command);
        try {
            cli.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            problems.add(where + ": " + args + ": " + e.getMessage());
            return new Result(null, problems);
        }
        ProxyConfig config;
        String configFile = cli.getParseResult().matchedOptionValue("--config", null) == null ? null
                : cli.getParseResult().matchedOptionValue("--config", null).toString();
        try {
            config = configFile == null ? sidecar(command) : mounted(objects, pod, container, configFile);
        } catch (ConfigException e) {
            e.errors().forEach(error -> problems.add(where + ": " + error));
            return new Result(null, problems);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            return new Result(null, problems);
        }
        List<String> files = new ArrayList<>();
        files.add(config.upstream().secretFile());
        if (config.tls() != null) {
            files.addAll(List.of(String.valueOf(config.tls().cert()), String.valueOf(config.tls().key()),
                    String.valueOf(config.tls().clientCa())));
        }
        UpstreamTlsConfig upstreamTls = config.upstream().tls();
        if (upstreamTls != null) {
            files.addAll(List.of(String.valueOf(upstreamTls.ca()), String.valueOf(upstreamTls.cert()),
                    String.valueOf(upstreamTls.key())));
        }
        files.stream().filter(f -> f != null && !f.equals("null") && mountOf(container, f) == null)
                .forEach(f -> problems.add(where + ": " + f + " (named by its configuration) is under no mount"));
        for (TenantConfig tenant : config.tenants()) {
            if (tenant.listen() != null) {
                requirePort(container, tenant.listen(), where + ": tenant " + tenant.name(), problems);
            }
        }
        if (config.tls() != null && config.tls().listen() != null) {
            requirePort(container, config.tls().listen(), where + ": tls.listen", problems);
        }
        if (config.admin() != null && config.admin().listen() != null) {
            requirePort(container, config.admin().listen(), where + ": admin", problems);
        }
        return new Result(config, problems);
    }

    /** {@code --config FILE}: the file is a key of the ConfigMap mounted at its directory. */
    private static ProxyConfig mounted(List<ObjectNode> objects, ReferenceChecks.PodSpec pod, JsonNode container,
            String file) throws ConfigException {
        JsonNode mount = mountOf(container, file);
        if (mount == null) {
            throw new IllegalArgumentException("--config " + file + " is under no volume mount");
        }
        if (mount.has("subPath")) {
            throw new IllegalArgumentException("--config " + file + ": a subPath mount never sees a ConfigMap update");
        }
        String volumeName = mount.path("name").asText();
        JsonNode volume = null;
        for (JsonNode v : pod.spec().path("volumes")) {
            volume = v.path("name").asText().equals(volumeName) ? v : volume;
        }
        String configMap = volume == null ? null : volume.path("configMap").path("name").asText(null);
        String key = file.substring(mount.path("mountPath").asText().replaceAll("/$", "").length() + 1);
        JsonNode data = ReferenceChecks.ofKind(objects, "ConfigMap").stream()
                .filter(cm -> cm.path("metadata").path("name").asText().equals(configMap))
                .map(cm -> cm.path("data").path(key)).filter(JsonNode::isTextual).findFirst().orElse(null);
        if (data == null) {
            throw new IllegalArgumentException("--config " + file + ": no ConfigMap key " + key + " in volume "
                    + volumeName);
        }
        return ConfigLoader.parse(data.asText(), "ConfigMap " + configMap + " " + key);
    }

    /**
     * The sidecar's configuration exactly as the jar assembles and validates it from flags: ServeCommand's own
     * (private) method, called reflectively so that this check cannot drift from the code it checks.
     */
    private static ProxyConfig sidecar(ServeCommand command) throws ConfigException {
        try {
            Method configuration = ServeCommand.class.getDeclaredMethod("configuration");
            configuration.setAccessible(true);
            return (ProxyConfig) configuration.invoke(command);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ConfigException config) {
                throw config;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ServeCommand.configuration() changed: update this check", e);
        }
    }

    /** @return each ZKTP_* variable the jar reads, mapped to the option whose default it is */
    static Map<String, String> envOptions() {
        Map<String, String> options = new HashMap<>();
        // Without interpolation picocli shows each default as written: ${env:ZKTP_X:-fallback}.
        CommandLine cli = new CommandLine(new ServeCommand()).setInterpolateVariables(false);
        for (OptionSpec option : cli.getCommandSpec().options()) {
            Matcher m = ENV_DEFAULT.matcher(String.valueOf(option.defaultValue()));
            if (m.find()) {
                options.put(m.group(1), option.longestName());
            }
        }
        return options;
    }

    private static void requirePort(JsonNode container, String listen, String where, List<String> problems) {
        HostPort address = HostPort.parse(listen);
        JsonNode port = com.fasterxml.jackson.databind.node.IntNode.valueOf(address.port());
        if (!ReferenceChecks.hasPort(List.of(container), port)) {
            problems.add(where + " listens on " + listen + ", which is none of the container's ports");
        }
    }

    /** @return the volume mount whose directory holds {@code file}, or null */
    static JsonNode mountOf(JsonNode container, String file) {
        for (JsonNode mount : container.path("volumeMounts")) {
            String dir = mount.path("mountPath").asText().replaceAll("/$", "");
            if (file.startsWith(dir + "/")) {
                return mount;
            }
        }
        return null;
    }
}
