package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * ZooKeeper's path rules ({@code org.apache.zookeeper.common.PathUtils.validatePath}), checked on the UTF-8 bytes
 * of a path as it sits in a frame, in one pass and without allocating:
 * <ul>
 *   <li>absolute: starts with {@code /}; the root {@code /} alone is valid;</li>
 *   <li>no trailing {@code /} (a sequential create may end in {@code /}: the server appends the counter);</li>
 *   <li>no empty segment ({@code //}), no {@code .} or {@code ..} segment;</li>
 *   <li>no NUL, no U+0001..U+001F, U+007F..U+009F, U+D800..U+F8FF, U+FFF0..U+FFFF, and no code point above
 *       U+FFFF (Java holds those as surrogates, which {@code PathUtils} refuses);</li>
 *   <li>valid UTF-8 (jute would otherwise replace bad bytes, so two byte strings could name one znode).</li>
 * </ul>
 * Each check returns {@code null} for a valid path or a fixed reason string, so the hot path builds no message.
 */
public final class PathRules {
    private PathRules() {
    }

    /** Validates {@code path}; see the class comment. @return null if valid, else the rule it breaks */
    public static String violation(String path, boolean sequential) {
        if (path == null) {
            return "path is null";
        }
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        return violation(Unpooled.wrappedBuffer(bytes), 0, bytes.length, sequential);
    }

    /**
     * Validates the path in {@code buf[index, index + length)}.
     *
     * @param sequential whether the path is the prefix of a sequential create (a trailing {@code /} is allowed)
     * @return null if valid, else the rule it breaks
     */
    public static String violation(ByteBuf buf, int index, int length, boolean sequential) {
        if (length <= 0) {
            return "path must not be empty";
        }
        if (buf.getByte(index) != '/') {
            return "path must start with /";
        }
        if (length == 1) {
            return null;
        }
        int end = index + length;
        int segmentLength = 0;
        int dots = 0; // dots seen in the current segment, while it holds only dots
        int i = index + 1;
        while (i < end) {
            int b0 = buf.getByte(i) & 0xff;
            int cp;
            int width;
            if (b0 < 0x80) {
                cp = b0;
                width = 1;
            } else if ((b0 & 0xe0) == 0xc0 && i + 1 < end) {
                cp = ((b0 & 0x1f) << 6) | continuation(buf, i + 1);
                width = 2;
                if (cp < 0x80) {
                    return "path is not valid UTF-8";
                }
            } else if ((b0 & 0xf0) == 0xe0 && i + 2 < end) {
                cp = ((b0 & 0x0f) << 12) | (continuation(buf, i + 1) << 6) | continuation(buf, i + 2);
                width = 3;
                if (cp < 0x800) {
                    return "path is not valid UTF-8";
                }
            } else if ((b0 & 0xf8) == 0xf0) {
                return "path has a character outside the Basic Multilingual Plane";
            } else {
                return "path is not valid UTF-8";
            }
            if (cp < 0) {
                return "path is not valid UTF-8";
            }
            if (cp == '/') {
                if (segmentLength == 0) {
                    return "path has an empty segment";
                }
                if (dots == segmentLength && dots <= 2) {
                    return "path has a . or .. segment";
                }
                segmentLength = 0;
                dots = 0;
            } else {
                if (cp == 0) {
                    return "path has a NUL character";
                }
                if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xf8ff) || cp >= 0xfff0) {
                    return "path has a character ZooKeeper forbids";
                }
                if (cp == '.' && dots == segmentLength) {
                    dots++;
                }
                segmentLength++;
            }
            i += width;
        }
        if (segmentLength == 0) {
            // the path ends in '/': only a sequential create may do that, the server appends the counter
            return sequential ? null : "path must not end with /";
        }
        if (dots == segmentLength && dots <= 2 && !sequential) {
            return "path has a . or .. segment";
        }
        return null;
    }

    /** The six payload bits of a UTF-8 continuation byte, or a large negative value when it is not one. */
    private static int continuation(ByteBuf buf, int i) {
        int b = buf.getByte(i) & 0xff;
        return (b & 0xc0) == 0x80 ? (b & 0x3f) : Integer.MIN_VALUE >> 13;
    }
}
