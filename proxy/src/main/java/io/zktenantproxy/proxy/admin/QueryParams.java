package io.zktenantproxy.proxy.admin;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.tree.TreeException;
import java.util.List;

/**
 * Typed, bounded access to a request's query parameters. Every failure is a {@link TreeException}
 * {@code BAD_REQUEST} naming the parameter, the value and what was expected, e.g.
 * {@code "depth: 'x' (expected: an integer in 0..1000)"}.
 */
final class QueryParams {
    private final QueryStringDecoder query;

    QueryParams(QueryStringDecoder query) {
        this.query = query;
    }

    /** @return the single value of {@code name}, or {@code fallback} when absent */
    String string(String name, String fallback) {
        List<String> values = query.parameters().get(name);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        if (values.size() > 1) {
            throw bad(name + ": given " + values.size() + " times (expected: once)");
        }
        return values.get(0);
    }

    /** @return the integer {@code name} in {@code [min, max]}, or {@code fallback} when absent */
    int integer(String name, int fallback, int min, int max) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            parsed = Integer.MIN_VALUE;
        }
        if (parsed < min || parsed > max) {
            throw bad(name + ": '" + value + "' (expected: an integer in " + min + ".." + max + ")");
        }
        return parsed;
    }

    /** @return the boolean {@code name} ({@code true}/{@code false}/{@code 1}/{@code 0}), or false when absent */
    boolean flag(String name) {
        String value = string(name, null);
        if (value == null || value.equals("false") || value.equals("0")) {
            return false;
        }
        if (value.equals("true") || value.equals("1") || value.isEmpty()) {
            return true;
        }
        throw bad(name + ": '" + value + "' (expected: true or false)");
    }

    private static TreeException bad(String message) {
        return new TreeException(TreeException.Kind.BAD_REQUEST, message);
    }
}
