package io.zktenantproxy.proxy.flink;

/**
 * Decodes the modified UTF-8 of {@code java.io.DataInput.readUTF}: one byte for U+0001..U+007F, two bytes for U+0000
 * and U+0080..U+07FF, three bytes for U+0800..U+FFFF (supplementary characters as two three-byte surrogates). Four-byte
 * forms, a bare zero byte, overlong forms other than {@code C0 80}, and broken continuation bytes are refused, as
 * {@code DataInputStream.readUTF} refuses them.
 */
final class ModifiedUtf8 {
    private ModifiedUtf8() {
    }

    /** @throws SerialInput.Malformed naming {@code field} and the offset of the first bad byte */
    static String decode(byte[] in, String field) throws SerialInput.Malformed {
        StringBuilder out = new StringBuilder(in.length);
        int i = 0;
        while (i < in.length) {
            int b = in[i] & 0xff;
            if (b >= 0x01 && b <= 0x7f) {
                out.append((char) b);
                i++;
            } else if ((b & 0xe0) == 0xc0) {
                int b2 = continuation(in, i, 1, field);
                int c = ((b & 0x1f) << 6) | b2;
                if (c < 0x80 && c != 0) {
                    throw bad(field, i, "overlong two-byte form");
                }
                out.append((char) c);
                i += 2;
            } else if ((b & 0xf0) == 0xe0) {
                int c = ((b & 0x0f) << 12) | (continuation(in, i, 1, field) << 6) | continuation(in, i, 2, field);
                if (c < 0x800) {
                    throw bad(field, i, "overlong three-byte form");
                }
                out.append((char) c);
                i += 3;
            } else {
                throw bad(field, i, "byte 0x" + Integer.toHexString(b) + " starts no modified UTF-8 character");
            }
        }
        return out.toString();
    }

    private static int continuation(byte[] in, int start, int k, String field) throws SerialInput.Malformed {
        if (start + k >= in.length) {
            throw bad(field, start, "character cut short");
        }
        int b = in[start + k] & 0xff;
        if ((b & 0xc0) != 0x80) {
            throw bad(field, start + k, "not a continuation byte");
        }
        return b & 0x3f;
    }

    private static SerialInput.Malformed bad(String field, int offset, String what) {
        return new SerialInput.Malformed(field + ": " + what + " at byte " + offset);
    }
}
