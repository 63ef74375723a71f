package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every path rule, table-driven, with the exact rule each path breaks; each row is cross-checked against ZooKeeper's
 * own {@link PathUtils#validatePath(String, boolean)} (on the bytes decoded as Java does: any invalid UTF-8 becomes
 * U+FFFD, which ZooKeeper forbids, so the two must agree on every row).
 */
class PathRulesTest {
    static final String EMPTY = "path must not be empty";
    static final String RELATIVE = "path must start with /";
    static final String EMPTY_SEGMENT = "path has an empty segment";
    static final String DOTS = "path has a . or .. segment";
    static final String TRAILING = "path must not end with /";
    static final String NUL = "path has a NUL character";
    static final String FORBIDDEN = "path has a character ZooKeeper forbids";
    static final String SUPPLEMENTARY = "path has a character outside the Basic Multilingual Plane";
    static final String NOT_UTF8 = "path is not valid UTF-8";

    /** One row: the path's bytes, whether it is a sequential create's, and the rule it breaks (null: valid). */
    record Row(String name, byte[] bytes, boolean sequential, String rule) {
        @Override
        public String toString() {
            return name + (sequential ? " (sequential)" : "") + " -> " + (rule == null ? "valid" : rule);
        }
    }

    private static Row text(String path, String rule) {
        return new Row(escape(path), path.getBytes(StandardCharsets.UTF_8), false, rule);
    }

    private static Row sequential(String path, String rule) {
        return new Row(escape(path), path.getBytes(StandardCharsets.UTF_8), true, rule);
    }

    private static Row bytes(String name, String rule, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new Row(name, b, false, rule);
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>(List.of(
                text("/", null), sequential("/", null),
                text("/a", null), text("/a/b/c", null), text("/a.b", null), text("/.a", null), text("/..a", null),
                text("/a..", null), text("/...", null), text("/a/.../b", null), text("/a b", null),
                text("/a-b_c:d@e=f", null), text("/ü/é", null),
                text("/\u0020", null), text("/\u00a0", null), text("/\u00ff", null), text("/\u0800", null),
                text("/\ud7ff", null), text("/\uf900", null), text("/\uffef", null),
                sequential("/a/", null), sequential("/lock-", null), sequential("/a/.", null),
                sequential("/a/..", null),

                text("", EMPTY), sequential("", EMPTY),
                text("a", RELATIVE), text("a/b", RELATIVE), text(".", RELATIVE), sequential("a", RELATIVE),
                text("//", EMPTY_SEGMENT), text("//a", EMPTY_SEGMENT), text("/a//b", EMPTY_SEGMENT),
                sequential("/a//", EMPTY_SEGMENT),
                text("/.", DOTS), text("/..", DOTS), text("/a/.", DOTS), text("/a/..", DOTS), text("/./a", DOTS),
                text("/../a", DOTS), text("/a/./b", DOTS), text("/a/../b", DOTS), sequential("/a/./", DOTS),
                sequential("/./a", DOTS),
                text("/a/", TRAILING), text("/a/b/", TRAILING),
                text("/\u0000", NUL), text("/a\u0000b", NUL), sequential("/a\u0000", NUL),
                text("/\u0001", FORBIDDEN), text("/a\u001fb", FORBIDDEN), text("/\u007f", FORBIDDEN),
                text("/\u0080", FORBIDDEN), text("/\u009f", FORBIDDEN), text("/\ue000", FORBIDDEN),
                text("/\uf8ff", FORBIDDEN), text("/\ufff0", FORBIDDEN), text("/\ufffd", FORBIDDEN),
                text("/\uffff", FORBIDDEN), text("/a\tb", FORBIDDEN), text("/a\nb", FORBIDDEN),
                text("/\ud83d\ude00", SUPPLEMENTARY), text("/a/\ud800\udc00", SUPPLEMENTARY),

                bytes("lone continuation byte", NOT_UTF8, '/', 0x80),
                bytes("overlong / in two bytes", NOT_UTF8, '/', 0xc0, 0xaf),
                bytes("overlong / in three bytes", NOT_UTF8, '/', 0xe0, 0x80, 0xaf),
                bytes("two-byte sequence cut short", NOT_UTF8, '/', 0xc3),
                bytes("three-byte sequence cut short", NOT_UTF8, '/', 0xe2, 0x82),
                bytes("bad continuation", NOT_UTF8, '/', 0xc3, 0x28),
                bytes("bad continuation in three bytes", NOT_UTF8, '/', 'a', 0xe2, 0x28, 0xa1),
                bytes("byte 0xff", NOT_UTF8, '/', 0xff),
                bytes("five-byte form", NOT_UTF8, '/', 0xf8, 0x88, 0x80, 0x80, 0x80),
                bytes("surrogate encoded in three bytes (CESU-8)", FORBIDDEN, '/', 0xed, 0xa0, 0x80),
                bytes("four-byte sequence cut short", SUPPLEMENTARY, '/', 0xf0, 0x9f, 0x98),
                bytes("valid é in two bytes", null, '/', 0xc3, 0xa9)));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void rule(Row row) {
        assertEquals(row.rule(), PathRules.violation(Unpooled.wrappedBuffer(row.bytes()), 0, row.bytes().length,
                row.sequential()));
    }

    /** The same path in the middle of a frame: nothing before or after the range may be read. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void ruleInsideALargerBuffer(Row row) {
        // the bytes after the range would complete a cut-short sequence or hide a trailing '/': they must not count
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {'/', 'x'}, row.bytes(), new byte[] {(byte) 0xa9, '/', 'a'});
        assertEquals(row.rule(), PathRules.violation(buf, 2, row.bytes().length, row.sequential()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void agreesWithZooKeepersPathUtils(Row row) {
        String decoded = new String(row.bytes(), StandardCharsets.UTF_8);
        assertEquals(row.rule() == null, zooKeeperAccepts(decoded, row.sequential()), decoded);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void stringFormAgreesWithTheByteForm(Row row) {
        String decoded = new String(row.bytes(), StandardCharsets.UTF_8);
        if (Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), row.bytes())) {
            assertEquals(row.rule(), PathRules.violation(decoded, row.sequential()));
        } else {
            assertTrue(row.rule() != null, "only invalid byte rows fail to round-trip");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void utf8ValidityAgreesWithTheJdk(Row row) {
        boolean jdkValid = Arrays.equals(
                new String(row.bytes(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8), row.bytes());
        assertEquals(jdkValid, Utf8.isValid(Unpooled.wrappedBuffer(row.bytes()), 0, row.bytes().length));
    }

    @Test
    void nullPath() {
        assertEquals("path is null", PathRules.violation(null, false));
        assertFalse(zooKeeperAccepts("", false));
        assertNull(PathRules.violation("/", true));
    }

    static boolean zooKeeperAccepts(String path, boolean sequential) {
        try {
            PathUtils.validatePath(path, sequential);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> out.append(cp >= 0x20 && cp < 0x7f ? Character.toString(cp)
                : String.format("\\u%04X", cp)));
        return out.length() == 0 ? "\"\"" : out.toString();
    }
}
