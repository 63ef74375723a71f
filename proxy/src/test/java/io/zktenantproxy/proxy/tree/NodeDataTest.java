package io.zktenantproxy.proxy.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How node data is shown: printable UTF-8 as text, anything else as base64, both capped. */
class NodeDataTest {
    @Test
    void printableUtf8IsText() {
        assertEquals(new NodeData("utf8", "héllo\nworld", 12, false),
                NodeData.of("héllo\nworld".getBytes(StandardCharsets.UTF_8), 1024));
    }

    @Test
    void controlCharactersAndInvalidUtf8AreBase64() {
        assertEquals(new NodeData("base64", "G1sybQ==", 4, false),
                NodeData.of("\u001b[2m".getBytes(StandardCharsets.UTF_8), 1024));
        assertEquals(new NodeData("base64", "/w==", 1, false), NodeData.of(new byte[] {(byte) 0xff}, 1024));
    }

    @Test
    void capCutsAndDropsASplitCharacter() {
        byte[] data = "abcé".getBytes(StandardCharsets.UTF_8);
        assertEquals(new NodeData("utf8", "abc", 5, true), NodeData.of(data, 4));
        assertEquals(new NodeData("utf8", "ab", 5, true), NodeData.of(data, 2));
        assertEquals(new NodeData("utf8", "", 5, true), NodeData.of(data, 0));
        assertEquals(new NodeData("utf8", "", 0, false), NodeData.of(new byte[0], 10));
    }
}
