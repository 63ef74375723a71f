package io.zktenantproxy.proxy.flink;

import static io.zktenantproxy.proxy.flink.FlinkBytes.DISPATCHER;
import static io.zktenantproxy.proxy.flink.FlinkBytes.SESSION;
import static io.zktenantproxy.proxy.flink.FlinkBytes.leaderInfo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaderInfoParser} against bytes a real {@code ObjectOutputStream} writes as Flink does, and against what a
 * tenant could write instead.
 */
class LeaderInfoParserTest {

    @Test
    void readsWhatFlinkWrites() {
        byte[] bytes = leaderInfo(DISPATCHER, SESSION);
        assertEquals(LeaderInfo.known(DISPATCHER, SESSION.toString()), LeaderInfoParser.parse(bytes));
        assertEquals(FlinkBytes.oracle(bytes), LeaderInfoParser.parse(bytes));
    }

    @Test
    void goldenBytesAreTheGrammar() {
        // magic, version, TC_BLOCKDATA(len 5: utflen 3, "a:1"), TC_OBJECT TC_CLASSDESC "java.util.UUID" ...
        String expected = "aced0005" + "7705" + "0003613a31" + "7372" + "000e" + hex("java.util.UUID")
                + "bc9903f7986d852f" + "02" + "0002" + "4a" + "000c" + hex("leastSigBits") + "4a" + "000b"
                + hex("mostSigBits") + "7870" + "0000000000000002" + "0000000000000001";
        assertEquals(expected, HexFormat.of().formatHex(leaderInfo("a:1", new UUID(1, 2))));
    }

    @Test
    void nullSessionIdAndEmptyData() {
        assertEquals(LeaderInfo.known("http://10.0.0.7:8081", null),
                LeaderInfoParser.parse(leaderInfo("http://10.0.0.7:8081", null)));
        assertEquals(LeaderInfo.EMPTY, LeaderInfoParser.parse(new byte[0]));
        assertEquals(LeaderInfo.EMPTY, LeaderInfoParser.parse(null));
    }

    @Test
    void addressesSpanningBlocksAndModifiedUtf8() {
        String longAddress = "pekko.tcp://flink@" + "h".repeat(3000) + ":6123/user/rpc/dispatcher_1";
        byte[] bytes = leaderInfo(longAddress, SESSION);
        assertEquals(0x7A, bytes[4] & 0xff, "a writeUTF over 1024 bytes spans several TC_BLOCKDATALONG records");
        assertEquals(1024, ByteBuffer.wrap(bytes, 5, 4).getInt());
        assertEquals(LeaderInfo.known(longAddress, SESSION.toString()), LeaderInfoParser.parse(bytes));
        String unusual = "akka://fl\u0000ink@h\u00e9\u20ac\ud83d\ude00:1";
        assertEquals(LeaderInfo.known(unusual, SESSION.toString()), LeaderInfoParser.parse(leaderInfo(unusual,
                SESSION)));
    }

    @Test
    void boundsOnSizes() {
        assertUnreadable(leaderInfo("x".repeat(LeaderInfoParser.MAX_ADDRESS + 1), SESSION), "block data: more than");
        assertEquals(LeaderInfo.Status.KNOWN, LeaderInfoParser.parse(leaderInfo("x".repeat(LeaderInfoParser
                .MAX_ADDRESS), SESSION)).status());
        assertUnreadable(new byte[LeaderInfoParser.MAX_INPUT + 1], "length: 65537 (expected: <= 65536)");
        byte[] huge = concat(header(), bytes(0x7A, 0x7f, 0xff, 0xff, 0xff));
        assertUnreadable(huge, "block data: more than");
        assertUnreadable(concat(header(), bytes(0x7A, 0xff, 0xff, 0xff, 0xfe)), "block length: -2");
        byte[] utfTooLong = concat(header(), bytes(0x77, 0x02, 0xff, 0xff));
        assertUnreadable(utfTooLong, "address length: 65535 (expected: <= 4096)");
    }

    @Test
    void everyTruncationIsUnreadable() {
        byte[] bytes = leaderInfo(DISPATCHER, SESSION);
        for (int n = 1; n < bytes.length; n++) {
            assertEquals(LeaderInfo.Status.UNREADABLE, LeaderInfoParser.parse(Arrays.copyOf(bytes, n)).status(),
                    "prefix of " + n);
        }
        assertUnreadable(concat(bytes, bytes(0x70)), "trailing bytes: 1");
    }

    @Test
    void garbageHeaders() {
        assertUnreadable("not serialized".getBytes(), "magic: 0x6e6f");
        assertUnreadable(bytes(0xac, 0xed, 0x00, 0x04), "version: 4 (expected: 5)");
        assertUnreadable(bytes(0xac, 0xed, 0x00, 0x05, 0x70), "expected: TC_BLOCKDATA holding the address");
    }

    @Test
    void otherClassesAreRefusedUnread() {
        byte[] gadget = FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(new FlinkBytes.Gadget());
        });
        assertUnreadable(gadget, "class: " + FlinkBytes.Gadget.class.getName() + " (expected: java.util.UUID)");
        assertFalse(FlinkBytes.Gadget.deserialized);
        assertUnreadable(FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(SESSION.toString());
        }), "session tag: 0x74 (expected: TC_OBJECT or TC_NULL)");
        assertUnreadable(FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(TimeUnit.SECONDS);
        }), "session tag: 0x7e");
        assertUnreadable(FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(new ArrayList<>(List.of(SESSION)));
        }), "class: java.util.ArrayList");
        assertUnreadable(FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(new long[] {1, 2});
        }), "session tag: 0x75");
    }

    /** An invocation handler that can be serialized, for a proxy instance in the stream. */
    record Handler(String name) implements InvocationHandler, Serializable {
        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) {
            return null;
        }
    }

    @Test
    void proxiesResetsAndReferencesAreRefused() {
        Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Runnable.class},
                new Handler("h"));
        assertUnreadable(FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(proxy);
        }), "class descriptor tag: 0x7d (expected: TC_CLASSDESC)");
        assertUnreadable(FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.reset();
            oos.writeObject(SESSION);
        }), "session tag: 0x79");
        byte[] reference = FlinkBytes.write(oos -> {
            oos.writeObject(SESSION);
            oos.writeUTF(DISPATCHER);
            oos.writeObject(SESSION);
        });
        assertUnreadable(reference, "expected: TC_BLOCKDATA holding the address");
        byte[] handle = concat(Arrays.copyOf(leaderInfo(DISPATCHER, null), leaderInfo(DISPATCHER, null).length - 1),
                bytes(0x71, 0x00, 0x7e, 0x00, 0x00));
        assertUnreadable(handle, "session tag: 0x71");
    }

    @Test
    void deepNestingEndsAtTheFirstTag() {
        List<Object> nested = new ArrayList<>();
        List<Object> inner = nested;
        for (int i = 0; i < 500; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        assertUnreadable(FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(nested);
        }), "class: java.util.ArrayList");
    }

    @Test
    void uuidLookalikesAreRefused() {
        byte[] good = leaderInfo("a:1", new UUID(1, 2));
        int suidAt = indexOf(good, ByteBuffer.allocate(8).putLong(LeaderInfoParser.UUID_SUID).array());
        byte[] suid = good.clone();
        suid[suidAt + 7] ^= 1;
        assertUnreadable(suid, "serialVersionUID");
        byte[] flags = good.clone();
        flags[suidAt + 8] = 0x03;
        assertUnreadable(flags, "class flags: 0x3 (expected: SC_SERIALIZABLE only)");
        byte[] field = good.clone();
        field[indexOf(good, "mostSigBits".getBytes())] = 'n';
        assertUnreadable(field, "fields: leastSigBits, nostSigBits");
        byte[] type = good.clone();
        type[indexOf(good, "leastSigBits".getBytes()) - 3] = 'I';
        assertUnreadable(type, "field type: 0x49");
        byte[] name = good.clone();
        name[indexOf(good, "java.util.UUID".getBytes()) + 10] = 'X';
        assertUnreadable(name, "class: java.util.XUID");
    }

    @Test
    void badModifiedUtf8() {
        assertUnreadable(addressBytes(0xf0, 0x9f, 0x98, 0x80), "starts no modified UTF-8 character");
        assertUnreadable(addressBytes(0x00), "starts no modified UTF-8 character");
        assertUnreadable(addressBytes(0xc1, 0x81), "overlong two-byte form");
        assertUnreadable(addressBytes(0xe0, 0x81, 0x81), "overlong three-byte form");
        assertUnreadable(addressBytes(0xc3, 0x41), "not a continuation byte");
        assertUnreadable(addressBytes(0xe2, 0x82), "character cut short");
        assertEquals(LeaderInfo.known("\u0000", null), LeaderInfoParser.parse(concat(addressBlock(0xc0, 0x80),
                bytes(0x70))));
    }

    @Test
    void reasonsAreShortAndPrintable() {
        byte[] evil = FlinkBytes.write(oos -> {
            oos.writeUTF(DISPATCHER);
            oos.writeObject(new FlinkBytes.Gadget());
        });
        String reason = LeaderInfoParser.parse(evil).reason();
        assertNotNull(reason);
        assertTrue(reason.length() < 200, reason);
        assertEquals("ab\\u000acd" + "e".repeat(70) + "...", LeaderInfoParser.printable("ab\ncd" + "e".repeat(200)));
    }

    private static void assertUnreadable(byte[] data, String reasonPart) {
        LeaderInfo info = LeaderInfoParser.parse(data);
        assertEquals(LeaderInfo.Status.UNREADABLE, info.status(), () -> "expected unreadable: " + info);
        assertTrue(info.reason().contains(reasonPart), () -> "reason '" + info.reason() + "' lacks '" + reasonPart
                + "'");
    }

    /** @return a stream whose address block holds {@code utf} and whose session is null */
    private static byte[] addressBytes(int... utf) {
        return concat(addressBlock(utf), bytes(0x70));
    }

    private static byte[] addressBlock(int... utf) {
        byte[] block = concat(bytes(0, utf.length), bytes(utf));
        return concat(header(), bytes(0x77, block.length), block);
    }

    private static byte[] header() {
        return bytes(0xac, 0xed, 0x00, 0x05);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    private static String hex(String ascii) {
        return HexFormat.of().formatHex(ascii.getBytes());
    }
}
