package io.zktenantproxy.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.zktenantproxy.proxy.tree.TreeException;
import org.junit.jupiter.api.Test;

/** Query parameters: defaults, bounds, and messages that name the parameter and what was expected. */
class QueryParamsTest {
    private static QueryParams params(String uri) {
        return new QueryParams(new QueryStringDecoder(uri));
    }

    @Test
    void defaultsAndValues() {
        QueryParams p = params("/x?depth=3&data=true&path=%2Fa%2Bb");
        assertEquals(3, p.integer("depth", 1, 0, 10));
        assertEquals(7, p.integer("limit", 7, 1, 10));
        assertTrue(p.flag("data"));
        assertFalse(p.flag("other"));
        assertEquals("/a+b", p.string("path", "/"));
        assertEquals("/", p.string("missing", "/"));
    }

    @Test
    void outOfRangeOrRepeatedIsABadRequest() {
        TreeException e = assertThrows(TreeException.class, () -> params("/x?depth=11").integer("depth", 1, 0, 10));
        assertEquals(TreeException.Kind.BAD_REQUEST, e.kind());
        assertEquals("depth: '11' (expected: an integer in 0..10)", e.getMessage());
        assertEquals("depth: 'x' (expected: an integer in 0..10)", assertThrows(TreeException.class,
                () -> params("/x?depth=x").integer("depth", 1, 0, 10)).getMessage());
        assertEquals("path: given 2 times (expected: once)", assertThrows(TreeException.class,
                () -> params("/x?path=/a&path=/b").string("path", "/")).getMessage());
        assertEquals(400, TreeException.Kind.BAD_REQUEST.httpStatus());
    }
}
