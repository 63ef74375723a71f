package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * {@link PathRules} must accept exactly the paths ZooKeeper's {@code PathUtils.validatePath} accepts: random strings
 * over an alphabet of every boundary character (slashes and dots included, so segments of all kinds appear), and
 * random bytes (decoded as Java decodes them: invalid UTF-8 turns into U+FFFD, which ZooKeeper forbids).
 */
class PathRulesPropertyTest {
    private static final char[] ALPHABET = {'/', '/', '/', '.', '.', 'a', 'z', '0', '-', ' ', '\u0000', '\u0001',
        '\u001f', '\u0020', '\u007e', '\u007f', '\u0080', '\u009f', '\u00a0', '\u07ff', '\u0800', '\ud7ff',
        '\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\uf8ff', '\uf900', '\uffef', '\ufff0', '\ufffd', '\uffff'};

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> tail = Arbitraries.of(ALPHABET).list().ofMaxSize(12)
                .map(chars -> chars.stream().map(String::valueOf).reduce("", String::concat));
        return Arbitraries.oneOf(tail, tail.map(s -> "/" + s));
    }

    @Property(tries = 1000)
    void stringsAgreeWithPathUtils(@ForAll("paths") String path, @ForAll boolean sequential) {
        // Java encodes a lone surrogate as '?', so compare on the bytes a client would actually send
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        String sent = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(PathRulesTest.zooKeeperAccepts(sent, sequential),
                PathRules.violation(Unpooled.wrappedBuffer(bytes), 0, bytes.length, sequential) == null, sent);
    }

    @Property(tries = 1000)
    void bytesAgreeWithPathUtils(@ForAll @Size(max = 10) byte[] tail, @ForAll boolean sequential) {
        byte[] bytes = new byte[tail.length + 1];
        bytes[0] = '/';
        System.arraycopy(tail, 0, bytes, 1, tail.length);
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(PathRulesTest.zooKeeperAccepts(decoded, sequential),
                PathRules.violation(Unpooled.wrappedBuffer(bytes), 0, bytes.length, sequential) == null, decoded);
    }
}
