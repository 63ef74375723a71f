package io.zktenantproxy.proxy.config;

import java.util.List;

/** A configuration the proxy refuses to start with; {@link #errors()} holds one clear message per problem. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
