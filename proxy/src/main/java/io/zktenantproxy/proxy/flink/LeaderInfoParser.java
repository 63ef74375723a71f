package io.zktenantproxy.proxy.flink;

import java.io.ByteArrayOutputStream;
import java.util.UUID;

/**
 * Reads the leader information Flink keeps in ZooKeeper without deserializing anything: a parser of exactly the
 * bytes an {@code ObjectOutputStream} produces for {@code writeUTF(leaderAddress); writeObject(leaderSessionID)},
 * where the session id is a {@code java.util.UUID} or null. That is what every Flink from 1.12 to 2.3 writes
 * ({@code ZooKeeperLeaderElectionDriver.writeLeaderInformation} in 1.12 to 1.14,
 * {@code ZooKeeperUtils.writeLeaderInformationToZooKeeper} from 1.15 on, which writes no bytes at all for cleared
 * information) and reads back with {@code ObjectInputStream} ({@code ZooKeeperUtils.readLeaderInformation}).
 *
 * <p>The tenant controls these bytes, so the grammar is an allow list (Java Object Serialization Stream Protocol,
 * the constants of {@code java.io.ObjectStreamConstants}):
 * <pre>
 * stream  = AC ED 00 05  block+  session             ; magic, version 5, then nothing after session
 * block   = 77 len:u1 byte[len]                      ; TC_BLOCKDATA
 *         | 7A len:s4 byte[len]                      ; TC_BLOCKDATALONG (a writeUTF over 1024 bytes spans several)
 *                                                    ; all blocks together: utflen:u2 modified-UTF-8[utflen]
 * session = 70                                       ; TC_NULL: no session id
 *         | 73 72 "java.util.UUID" suid:s8 02 0002   ; TC_OBJECT TC_CLASSDESC name, serialVersionUID, SC_SERIALIZABLE
 *              ('J' name){2} 78 70                   ; fields leastSigBits, mostSigBits; TC_ENDBLOCKDATA; no super
 *              long long                             ; the field values, in the order of the fields
 * </pre>
 * Anything else (another class, a different serialVersionUID, flags or field list, a back reference, {@code TC_RESET},
 * proxy classes, enums, strings, arrays, trailing bytes, more than {@value #MAX_INPUT} bytes of input or an address
 * over {@value #MAX_ADDRESS} bytes) is {@link LeaderInfo.Status#UNREADABLE}, with a one-line reason. No class is ever
 * loaded or instantiated; the grammar has no recursion, so work is linear in the (bounded) input.
 */
public final class LeaderInfoParser {
    /** The most bytes of a leader znode read; Flink's are under 200. */
    public static final int MAX_INPUT = 64 * 1024;
    /** The most bytes of modified UTF-8 in an address. */
    public static final int MAX_ADDRESS = 4 * 1024;

    static final int STREAM_MAGIC = 0xACED;
    static final int STREAM_VERSION = 5;
    static final int TC_NULL = 0x70;
    static final int TC_CLASSDESC = 0x72;
    static final int TC_OBJECT = 0x73;
    static final int TC_BLOCKDATA = 0x77;
    static final int TC_ENDBLOCKDATA = 0x78;
    static final int TC_BLOCKDATALONG = 0x7A;
    static final int SC_SERIALIZABLE = 0x02;
    static final String UUID_CLASS = "java.util.UUID";
    /** {@code java.util.UUID.serialVersionUID}. */
    static final long UUID_SUID = -4856846361193249489L;

    private LeaderInfoParser() {
    }

    /**
     * @param data a leader znode's data; null or empty is the cleared information
     * @return the leader information, never null; never throws on any input
     */
    public static LeaderInfo parse(byte[] data) {
        if (data == null || data.length == 0) {
            return LeaderInfo.EMPTY;
        }
        if (data.length > MAX_INPUT) {
            return LeaderInfo.unreadable("length: " + data.length + " (expected: <= " + MAX_INPUT + ")");
        }
        try {
            SerialInput in = new SerialInput(data);
            header(in);
            String address = address(in);
            String session = session(in);
            if (in.remaining() != 0) {
                return LeaderInfo.unreadable("trailing bytes: " + in.remaining() + " after the session id "
                        + "(expected: 0)");
            }
            return LeaderInfo.known(address, session);
        } catch (SerialInput.Malformed e) {
            return LeaderInfo.unreadable(e.getMessage());
        }
    }

    private static void header(SerialInput in) throws SerialInput.Malformed {
        int magic = in.u2("magic");
        if (magic != STREAM_MAGIC) {
            throw new SerialInput.Malformed("magic: 0x" + Integer.toHexString(magic) + " (expected: 0xaced)");
        }
        int version = in.u2("version");
        if (version != STREAM_VERSION) {
            throw new SerialInput.Malformed("version: " + version + " (expected: 5)");
        }
    }

    /** Joins the block data records up to the next non-block tag, then reads the writeUTF string from them. */
    private static String address(SerialInput in) throws SerialInput.Malformed {
        int max = 2 + MAX_ADDRESS;
        ByteArrayOutputStream blocks = new ByteArrayOutputStream();
        while (in.remaining() > 0) {
            int tag = in.peek("tag");
            int length;
            if (tag == TC_BLOCKDATA) {
                in.u1("tag");
                length = in.u1("block length");
            } else if (tag == TC_BLOCKDATALONG) {
                in.u1("tag");
                length = in.s4("block length");
                if (length < 0) {
                    throw new SerialInput.Malformed("block length: " + length + " (expected: >= 0)");
                }
            } else {
                break;
            }
            if (length > max - blocks.size()) {
                throw new SerialInput.Malformed("block data: more than " + max + " bytes (expected: the address, <= "
                        + MAX_ADDRESS + " bytes, and its 2-byte length)");
            }
            blocks.writeBytes(in.bytes(length, "block data"));
        }
        if (blocks.size() == 0) {
            throw new SerialInput.Malformed("tag: 0x" + Integer.toHexString(in.remaining() > 0 ? in.peek("tag") : -1)
                    + " at offset " + in.position() + " (expected: TC_BLOCKDATA holding the address)");
        }
        SerialInput block = new SerialInput(blocks.toByteArray());
        String address = block.utf("address", MAX_ADDRESS);
        if (block.remaining() != 0) {
            throw new SerialInput.Malformed("block data: " + block.remaining() + " bytes after the address "
                    + "(expected: 0)");
        }
        return address;
    }

    private static String session(SerialInput in) throws SerialInput.Malformed {
        int tag = in.u1("session tag");
        if (tag == TC_NULL) {
            return null;
        }
        expect(tag, TC_OBJECT, "session tag", "TC_OBJECT or TC_NULL");
        expect(in.u1("class descriptor tag"), TC_CLASSDESC, "class descriptor tag", "TC_CLASSDESC");
        String name = in.utf("class", 256);
        if (!name.equals(UUID_CLASS)) {
            throw new SerialInput.Malformed("class: " + printable(name) + " (expected: " + UUID_CLASS + ")");
        }
        long suid = in.s8("serialVersionUID");
        if (suid != UUID_SUID) {
            throw new SerialInput.Malformed("serialVersionUID: " + suid + " (expected: " + UUID_SUID + ")");
        }
        expect(in.u1("class flags"), SC_SERIALIZABLE, "class flags", "SC_SERIALIZABLE only");
        int fields = in.u2("field count");
        if (fields != 2) {
            throw new SerialInput.Malformed("field count: " + fields + " (expected: 2)");
        }
        String first = field(in);
        String second = field(in);
        boolean leastFirst = first.equals("leastSigBits") && second.equals("mostSigBits");
        if (!leastFirst && !(first.equals("mostSigBits") && second.equals("leastSigBits"))) {
            throw new SerialInput.Malformed("fields: " + printable(first) + ", " + printable(second)
                    + " (expected: leastSigBits, mostSigBits)");
        }
        expect(in.u1("class annotation end"), TC_ENDBLOCKDATA, "class annotation end", "TC_ENDBLOCKDATA");
        expect(in.u1("superclass"), TC_NULL, "superclass", "TC_NULL");
        long a = in.s8(first);
        long b = in.s8(second);
        return (leastFirst ? new UUID(b, a) : new UUID(a, b)).toString();
    }

    private static String field(SerialInput in) throws SerialInput.Malformed {
        int type = in.u1("field type");
        if (type != 'J') {
            throw new SerialInput.Malformed("field type: 0x" + Integer.toHexString(type) + " (expected: 'J', long)");
        }
        return in.utf("field name", 64);
    }

    private static void expect(int actual, int expected, String field, String what) throws SerialInput.Malformed {
        if (actual != expected) {
            throw new SerialInput.Malformed(field + ": 0x" + Integer.toHexString(actual) + " (expected: " + what + ")");
        }
    }

    /** Tenant text in a reason: control characters escaped, at most 80 characters. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        for (; i < s.length() && out.length() < 80; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return i < s.length() ? out + "..." : out.toString();
    }
}
