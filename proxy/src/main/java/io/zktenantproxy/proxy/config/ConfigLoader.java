package io.zktenantproxy.proxy.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a {@link ProxyConfig} from YAML (Jackson) and validates it ({@link ConfigValidator}). Unknown keys are
 * reported all at once, each with its location ({@code tenants[1].chrot: unknown key}), rather than the first only.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private ConfigLoader() {
    }

    /**
     * @throws ConfigException listing every problem found: unreadable file, unknown keys, wrong types, invalid values
     */
    public static ProxyConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + e.getMessage()));
        }
        return parse(text, file.toString());
    }

    /**
     * The YAML parser's message without the lines of the file it quotes (indented four spaces, with a caret line
     * under each): a broken line may hold a password or a token, and the message goes to logs and, on a reload, to
     * {@code /tenants}. What is left says what was expected and where ({@code line 3, column 7}).
     */
    static String withoutExcerpts(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String line : message.split("\n")) {
            if (line.startsWith("    ") || line.isBlank()) {
                continue;
            }
            out.append(out.length() == 0 ? "" : " ").append(line.strip());
        }
        return out.toString();
    }

    /** Parses and validates YAML text; {@code source} names it in messages. */
    public static ProxyConfig parse(String text, String source) throws ConfigException {
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(source + ": not valid YAML: " + withoutExcerpts(e.getOriginalMessage())));
        }
        if (tree == null || !tree.isObject()) {
            throw new ConfigException(List.of(source + ": expected a mapping at the top level"));
        }
        List<String> errors = new ArrayList<>();
        unknownKeys(tree, ProxyConfig.class, "", errors);
        if (!errors.isEmpty()) {
            throw new ConfigException(errors.stream().map(e -> source + ": " + e).toList());
        }
        ProxyConfig config;
        try {
            config = YAML.treeToValue(tree, ProxyConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(source + ": " + e.getOriginalMessage()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(source + ": " + e.getMessage()));
        }
        List<String> invalid = ConfigValidator.validate(config);
        if (!invalid.isEmpty()) {
            throw new ConfigException(invalid.stream().map(e -> source + ": " + e).toList());
        }
        return config;
    }

    private static void unknownKeys(JsonNode node, Class<?> type, String at, List<String> errors) {
        if (!type.isRecord() || !node.isObject()) {
            return;
        }
        RecordComponent[] components = type.getRecordComponents();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            RecordComponent component = find(components, name);
            String where = at.isEmpty() ? name : at + "." + name;
            if (component == null) {
                errors.add(where + ": unknown key (expected one of " + keys(components) + ")");
                continue;
            }
            JsonNode child = node.get(name);
            if (component.getType() == List.class && child.isArray()) {
                Type element = ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0];
                if (element instanceof Class<?> elementClass) {
                    for (int i = 0; i < child.size(); i++) {
                        unknownKeys(child.get(i), elementClass, where + "[" + i + "]", errors);
                    }
                }
            } else {
                unknownKeys(child, component.getType(), where, errors);
            }
        }
    }

    private static RecordComponent find(RecordComponent[] components, String name) {
        for (RecordComponent c : components) {
            if (c.getName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String keys(RecordComponent[] components) {
        List<String> names = new ArrayList<>();
        for (RecordComponent c : components) {
            names.add(c.getName());
        }
        return String.join(", ", names);
    }
}
