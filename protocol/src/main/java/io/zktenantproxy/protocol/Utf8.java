package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Strict UTF-8 validation over a {@link ByteBuf} range, without decoding or allocating: rejects overlong forms,
 * lone surrogates, code points above U+10FFFF and truncated sequences.
 *
 * <p>One exception, for compatibility: jute's {@code BinaryOutputArchive} encodes a character outside the Basic
 * Multilingual Plane as its two UTF-16 surrogates, three bytes each (CESU-8), so a real client sends an emoji in an
 * ACL id that way. A high surrogate immediately followed by a low one is therefore accepted. Paths never carry them:
 * {@link PathRules} refuses every surrogate, as ZooKeeper's {@code PathUtils} does.
 */
final class Utf8 {
    private Utf8() {
    }

    static boolean isValid(ByteBuf buf, int index, int length) {
        int end = index + length;
        int i = index;
        while (i < end) {
            int b0 = buf.getByte(i) & 0xff;
            if (b0 < 0x80) {
                i++;
                continue;
            }
            int need;
            int min;
            int cp;
            if ((b0 & 0xe0) == 0xc0) {
                need = 1;
                min = 0x80;
                cp = b0 & 0x1f;
            } else if ((b0 & 0xf0) == 0xe0) {
                need = 2;
                min = 0x800;
                cp = b0 & 0x0f;
            } else if ((b0 & 0xf8) == 0xf0) {
                need = 3;
                min = 0x10000;
                cp = b0 & 0x07;
            } else {
                return false;
            }
            if (i + need >= end) {
                return false; // the sequence runs past the range
            }
            for (int k = 1; k <= need; k++) {
                int b = buf.getByte(i + k) & 0xff;
                if ((b & 0xc0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (b & 0x3f);
            }
            if (cp < min || cp > 0x10ffff) {
                return false;
            }
            if (cp >= 0xd800 && cp <= 0xdfff) {
                if (cp > 0xdbff || !lowSurrogateAt(buf, i + 3, end)) {
                    return false; // a lone or reversed surrogate
                }
                i += 6;
                continue;
            }
            i += need + 1;
        }
        return true;
    }

    /** @return whether {@code buf[i, i + 3)} lies within {@code end} and encodes a low surrogate U+DC00..U+DFFF */
    private static boolean lowSurrogateAt(ByteBuf buf, int i, int end) {
        return i + 3 <= end && (buf.getByte(i) & 0xff) == 0xed && (buf.getByte(i + 1) & 0xf0) == 0xb0
                && (buf.getByte(i + 2) & 0xc0) == 0x80;
    }
}
