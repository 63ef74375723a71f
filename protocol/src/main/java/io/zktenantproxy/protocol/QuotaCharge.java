package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one request adds to what the ensemble keeps for a tenant, read from the request as it goes upstream (so paths
 * include the chroot and ACL lists include what {@link AclPolicy} added, as the ensemble will store them).
 *
 * <pre>
 * create, create2, createContainer, createTTL: +1 znode, +data bytes; 2 * path (+10 if sequential) + acl checked
 * setData:                                    +data bytes at most (the old length is not in the request)
 * setACL:                                     2 * path + acl checked
 * multi:                                      the sum of its sub-ops, in order
 * </pre>
 *
 * {@code acl} is the jute size of the {@code vector<ACL>}. Deletes and reads charge nothing: they are never refused.
 * Built only for requests that can add ({@link #charges(OpCode)}); reads never allocate one, and a request of one op
 * allocates nothing but the charge (the setData paths are read from the frame only when asked for).
 */
public final class QuotaCharge {
    /** Digits ZooKeeper appends to a sequential znode's name ({@code %010d}). */
    static final int SEQUENCE_DIGITS = 10;
    private static final int[] NO_SET_DATA = new int[0];

    private final OpCode op;
    private final ByteBuf frame;
    private int ops;
    private long znodes;
    private long dataBytes;
    /** Per op, for a multi: znodes and data bytes of ops 0..i; null for a request of one op. */
    private long[] znodesUpTo;
    private long[] dataUpTo;
    private int oversizedIndex = -1;
    /** Per setData op: path index, path length, new data length, in {@link #frame}. */
    private int[] setDataFields = NO_SET_DATA;

    /** One setData in the request: its server path and new data length, for the exact delta near the limit. */
    public record SetData(String path, int newLength) {
    }

    private QuotaCharge(OpCode op, ByteBuf frame) {
        this.op = op;
        this.frame = frame;
    }

    /** @return whether requests of {@code op} may add to what the ensemble keeps (and need a charge) */
    public static boolean charges(OpCode op) {
        return switch (op) {
            case CREATE, CREATE2, CREATE_CONTAINER, CREATE_TTL, SET_DATA, SET_ACL, MULTI -> true;
            default -> false;
        };
    }

    /**
     * Reads the charge of an upstream request frame.
     *
     * @param frame         the whole request frame as rewritten for the ensemble, length included; not consumed, and
     *                      read again by {@link #setData()}, so it must not be released before that is done
     * @param bytesPerZnode the most {@code 2 * path + acl} of one znode may take
     * @throws ProtocolException if the frame does not hold a well-formed request of {@code op} (it was built by the
     *                           proxy, so this is a bug)
     */
    public static QuotaCharge of(OpCode op, ByteBuf frame, int bytesPerZnode) {
        ByteBuf in = frame.duplicate();
        in.skipBytes(Integer.BYTES + Jute.REQUEST_HEADER_BYTES);
        QuotaCharge charge = new QuotaCharge(op, frame);
        if (op != OpCode.MULTI) {
            charge.add(op, in, bytesPerZnode);
            return charge;
        }
        charge.znodesUpTo = new long[8];
        charge.dataUpTo = new long[8];
        while (true) {
            int type = Jute.readInt(in, "MultiHeader.type");
            boolean done = Jute.readBool(in, "MultiHeader.done");
            Jute.readInt(in, "MultiHeader.err");
            if (done) {
                break;
            }
            charge.add(OpCode.of(type), in, bytesPerZnode);
        }
        return charge;
    }

    private void add(OpCode sub, ByteBuf in, int bytesPerZnode) {
        int pathLength = Jute.readLength(in, "path");
        int pathIndex = in.readerIndex();
        in.skipBytes(Math.max(pathLength, 0));
        switch (sub.request()) {
            case CREATE, CREATE_TTL -> {
                int dataLength = Math.max(Jute.readLength(in, "data"), 0);
                in.skipBytes(dataLength);
                long acl = aclBytes(in);
                int flags = Jute.readInt(in, "flags");
                if (sub.request() == OpCode.RequestShape.CREATE_TTL) {
                    Jute.readLong(in, "ttl");
                }
                checkFootprint(pathLength + (RequestBodies.sequential(flags) ? SEQUENCE_DIGITS : 0), acl,
                        bytesPerZnode);
                znodes++;
                dataBytes += dataLength;
            }
            case SET_DATA -> {
                int dataLength = Math.max(Jute.readLength(in, "data"), 0);
                in.skipBytes(dataLength);
                Jute.readInt(in, "version");
                dataBytes += dataLength;
                int at = setDataFields.length;
                setDataFields = Arrays.copyOf(setDataFields, at + 3);
                setDataFields[at] = pathIndex; // the duplicate shares the frame's indices
                setDataFields[at + 1] = Math.max(pathLength, 0);
                setDataFields[at + 2] = dataLength;
            }
            case SET_ACL -> {
                long acl = aclBytes(in);
                Jute.readInt(in, "version");
                checkFootprint(pathLength, acl, bytesPerZnode);
            }
            case PATH_INT -> Jute.readInt(in, "version"); // delete, check
            default -> throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, "no quota charge for " + sub);
        }
        if (znodesUpTo != null) {
            if (ops == znodesUpTo.length) {
                znodesUpTo = Arrays.copyOf(znodesUpTo, ops * 2);
                dataUpTo = Arrays.copyOf(dataUpTo, ops * 2);
            }
            znodesUpTo[ops] = znodes;
            dataUpTo[ops] = dataBytes;
        }
        ops++;
    }

    private void checkFootprint(long pathLength, long aclBytes, int bytesPerZnode) {
        if (oversizedIndex < 0 && 2 * pathLength + aclBytes > bytesPerZnode) {
            oversizedIndex = ops;
        }
    }

    /** The jute size of a {@code vector<ACL>}: the count, then per entry perms and two length-prefixed strings. */
    private static long aclBytes(ByteBuf in) {
        int start = in.readerIndex();
        Jute.skipAclVector(in, "acl");
        return in.readerIndex() - start;
    }

    /** @return the request's opcode */
    public OpCode op() {
        return op;
    }

    /** @return the number of ops: 1, or the sub-ops of a multi (at least 1) */
    public int ops() {
        return Math.max(ops, 1);
    }

    /** @return znodes the request creates */
    public long znodes() {
        return znodes;
    }

    /** @return data bytes the request writes (creates and setData, the latter as if the znode were empty before) */
    public long dataBytes() {
        return dataBytes;
    }

    /** @return whether the request creates a znode or writes data (else it only deletes, checks or sets an ACL) */
    public boolean adds() {
        return znodes > 0 || dataBytes > 0;
    }

    /** @return znodes created by ops {@code 0..index} */
    public long znodesUpTo(int index) {
        return znodesUpTo == null ? znodes : znodesUpTo[index];
    }

    /** @return data bytes written by ops {@code 0..index} */
    public long dataUpTo(int index) {
        return dataUpTo == null ? dataBytes : dataUpTo[index];
    }

    /** @return the first op whose {@code 2 * path + acl} exceeds the per-znode allowance, or -1 */
    public int oversizedIndex() {
        return oversizedIndex;
    }

    /** @return whether the request holds a setData */
    public boolean setsData() {
        return setDataFields.length > 0;
    }

    /**
     * @return the request's setData ops, in order, their paths read from the frame now (so only while the frame given
     *     to {@link #of} is still held); empty for most requests
     */
    public List<SetData> setData() {
        List<SetData> sets = new ArrayList<>(setDataFields.length / 3);
        for (int i = 0; i < setDataFields.length; i += 3) {
            sets.add(new SetData(frame.toString(setDataFields[i], setDataFields[i + 1], StandardCharsets.UTF_8),
                    setDataFields[i + 2]));
        }
        return sets;
    }
}
