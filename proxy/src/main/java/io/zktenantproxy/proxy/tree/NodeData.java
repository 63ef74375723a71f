package io.zktenantproxy.proxy.tree;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A znode's data as the admin API shows it: at most a capped number of bytes, as text when they are printable UTF-8
 * and as base64 otherwise.
 *
 * @param encoding  {@code utf8} or {@code base64}
 * @param value     the (possibly truncated) data in that encoding
 * @param length    the full data length, bytes
 * @param truncated whether {@code value} holds fewer bytes than the node has
 */
public record NodeData(String encoding, String value, int length, boolean truncated) {

    /**
     * @param data the node's data, not null
     * @param max  the most bytes to show, at least 0
     */
    public static NodeData of(byte[] data, int max) {
        boolean truncated = data.length > max;
        int shown = Math.min(data.length, max);
        String text = text(data, shown, truncated);
        return text != null
                ? new NodeData("utf8", text, data.length, truncated)
                : new NodeData("base64", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(data, shown)),
                data.length, truncated);
    }

    /** Decodes strictly; a cut at the end of a truncated value may drop up to 3 bytes of a split character. */
    private static String text(byte[] data, int shown, boolean truncated) {
        for (int drop = 0; drop <= (truncated ? Math.min(3, shown) : 0); drop++) {
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, 0, shown - drop)).toString();
                return printable(s) ? s : null;
            } catch (CharacterCodingException e) {
                // try one byte shorter, or give up
            }
        }
        return null;
    }

    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                return false;
            }
        }
        return true;
    }
}
