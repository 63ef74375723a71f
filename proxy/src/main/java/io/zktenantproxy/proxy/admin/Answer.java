package io.zktenantproxy.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.zktenantproxy.proxy.tree.TreeException;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * One admin HTTP answer: status, content type and body. JSON bodies are written with one shared Jackson mapper;
 * errors of the JSON routes are {@code {"status": 413, "error": "..."}}.
 */
record Answer(HttpResponseStatus status, String contentType, String body) {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON_TYPE = "application/json; charset=utf-8";
    static final String HTML = "text/html; charset=utf-8";

    static Answer text(HttpResponseStatus status, String body) {
        return new Answer(status, TEXT, body);
    }

    /** @return {@code value} as JSON with status 200 */
    static Answer json(Object value) {
        try {
            return new Answer(HttpResponseStatus.OK, JSON_TYPE, JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write JSON: " + e.getOriginalMessage());
        }
    }

    /** @return a JSON error answer */
    static Answer error(HttpResponseStatus status, String message) {
        try {
            return new Answer(status, JSON_TYPE, JSON.writeValueAsString(
                    Map.of("status", status.code(), "error", message)));
        } catch (JsonProcessingException e) {
            return text(status, message + "\n");
        }
    }

    /** @return the JSON error answer for a failed read of a tenant's tree: its {@link TreeException}, else 500 */
    static Answer failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof TreeException e ? error(e)
                : error(HttpResponseStatus.INTERNAL_SERVER_ERROR, cause.toString());
    }

    /** @return the JSON error answer for {@code e} */
    static Answer error(TreeException e) {
        return error(HttpResponseStatus.valueOf(e.kind().httpStatus()), e.getMessage());
    }
}
