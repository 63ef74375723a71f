package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.jute.BinaryOutputArchive;
import org.junit.jupiter.api.Test;

/**
 * The UTF-8 check accepts what real clients send: jute writes a character outside the BMP as two 3-byte surrogates
 * (CESU-8), so an emoji in an ACL id must not close the connection; lone or reversed surrogates still do, and paths
 * refuse surrogates altogether, as ZooKeeper's PathUtils does.
 */
class Utf8Test {
    private static final String EMOJI = "user-\uD83D\uDE00";

    private static byte[] juteString(String s) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryOutputArchive.getArchive(new DataOutputStream(bytes)).writeString(s, "s");
        byte[] framed = bytes.toByteArray();
        byte[] body = new byte[framed.length - Integer.BYTES];
        System.arraycopy(framed, Integer.BYTES, body, 0, body.length);
        return body;
    }

    private static boolean valid(byte[] b) {
        return Utf8.isValid(Unpooled.wrappedBuffer(b), 0, b.length);
    }

    @Test
    void acceptsStandardUtf8AndJutesSurrogatePairs() throws Exception {
        assertTrue(valid(EMOJI.getBytes(StandardCharsets.UTF_8)));
        byte[] jute = juteString(EMOJI);
        assertEquals(5 + 6, jute.length, "jute writes the emoji as two 3-byte surrogates");
        assertTrue(valid(jute));
    }

    @Test
    void refusesLoneAndReversedSurrogates() {
        assertFalse(valid(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0xbd})); // lone high
        assertFalse(valid(new byte[] {(byte) 0xed, (byte) 0xb8, (byte) 0x80})); // lone low
        assertFalse(valid(new byte[] {(byte) 0xed, (byte) 0xb8, (byte) 0x80, (byte) 0xed, (byte) 0xa0, (byte) 0xbd}));
        assertFalse(valid(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0xbd, 'a', 'b', 'c'})); // high, then no low
        assertFalse(valid(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0xbd, (byte) 0xed, (byte) 0xb8})); // cut short
    }

    @Test
    void pathsStillRefuseSurrogates() throws Exception {
        byte[] path = juteString("/" + EMOJI);
        ByteBuf buf = Unpooled.wrappedBuffer(path);
        assertNotNull(PathRules.violation(buf, 0, path.length, false));
    }
}
