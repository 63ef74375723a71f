package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * Built only for requests that can add ({@link #charges(OpCode)}); reads never allocate one.
 */
public final class QuotaCharge {
    /** Digits ZooKeeper appends to a sequential znode's name ({@code %010d}). */
    static final int SEQUENCE_DIGITS = 10;

    private final OpCode op;
    private final int ops;
    private final long[] znodesUpTo;
    private final long[] dataUpTo;
    private final int oversizedIndex;
    private final List<SetData> setData;

    /** One setData in the request: its server path and new data length, for the exact delta near the limit. */
    public record SetData(String path, int newLength) {
    }

    private QuotaCharge(OpCode op, long[] znodesUpTo, long[] dataUpTo, int oversizedIndex, List<SetData> setData) {
        this.op = op;
        this.ops = znodesUpTo.length;
        this.znodesUpTo = znodesUpTo;
        this.dataUpTo = dataUpTo;
        this.oversizedIndex = oversizedIndex;
        this.setData = setData;
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
     * @param frame         the whole request frame as rewritten for the ensemble, length included; not consumed
     * @param bytesPerZnode the most {@code 2 * path + acl} of one znode may take
     * @throws ProtocolException if the frame does not hold a well-formed request of {@code op} (it was built by the
     *                           proxy, so this is a bug)
     */
    public static QuotaCharge of(OpCode op, ByteBuf frame, int bytesPerZnode) {
        ByteBuf in = frame.duplicate();
        in.skipBytes(Integer.BYTES + Jute.REQUEST_HEADER_BYTES);
        Builder builder = new Builder(bytesPerZnode);
        if (op == OpCode.MULTI) {
            while (true) {
                int type = Jute.readInt(in, "MultiHeader.type");
                boolean done = Jute.readBool(in, "MultiHeader.done");
                Jute.readInt(in, "MultiHeader.err");
                if (done) {
                    break;
                }
                builder.add(OpCode.of(type), in);
            }
        } else {
            builder.add(op, in);
        }
        return builder.build(op);
    }

    /** @return the request's opcode */
    public OpCode op() {
        return op;
    }

    /** @return the number of ops: 1, or the sub-ops of a multi */
    public int ops() {
        return ops;
    }

    /** @return znodes the request creates */
    public long znodes() {
        return znodesUpTo[ops - 1];
    }

    /** @return data bytes the request writes (creates and setData, the latter as if the znode were empty before) */
    public long dataBytes() {
        return dataUpTo[ops - 1];
    }

    /** @return znodes created by ops {@code 0..index} */
    public long znodesUpTo(int index) {
        return znodesUpTo[index];
    }

    /** @return data bytes written by ops {@code 0..index} */
    public long dataUpTo(int index) {
        return dataUpTo[index];
    }

    /** @return whether the request creates a znode or writes data (else it only deletes, checks or sets an ACL) */
    public boolean adds() {
        return znodes() > 0 || dataBytes() > 0;
    }

    /** @return the first op whose {@code 2 * path + acl} exceeds the per-znode allowance, or -1 */
    public int oversizedIndex() {
        return oversizedIndex;
    }

    /** @return the request's setData ops, in order; empty for most requests */
    public List<SetData> setData() {
        return setData;
    }

    private static final class Builder {
        private final int bytesPerZnode;
        private final List<Long> znodes = new ArrayList<>(1);
        private final List<Long> data = new ArrayList<>(1);
        private List<SetData> setData = List.of();
        private int oversizedIndex = -1;
        private long znodeSum;
        private long dataSum;

        Builder(int bytesPerZnode) {
            this.bytesPerZnode = bytesPerZnode;
        }

        void add(OpCode op, ByteBuf in) {
            int pathLength = Jute.readLength(in, "path");
            int pathIndex = in.readerIndex();
            in.skipBytes(Math.max(pathLength, 0));
            switch (op.request()) {
                case CREATE, CREATE_TTL -> {
                    int dataLength = Math.max(Jute.readLength(in, "data"), 0);
                    in.skipBytes(dataLength);
                    long acl = aclBytes(in);
                    int flags = Jute.readInt(in, "flags");
                    if (op.request() == OpCode.RequestShape.CREATE_TTL) {
                        Jute.readLong(in, "ttl");
                    }
                    int name = pathLength + (RequestBodies.sequential(flags) ? SEQUENCE_DIGITS : 0);
                    checkFootprint(name, acl);
                    znodeSum++;
                    dataSum += dataLength;
                }
                case SET_DATA -> {
                    int dataLength = Math.max(Jute.readLength(in, "data"), 0);
                    in.skipBytes(dataLength);
                    Jute.readInt(in, "version");
                    dataSum += dataLength;
                    if (setData.isEmpty()) {
                        setData = new ArrayList<>(1);
                    }
                    setData.add(new SetData(in.toString(pathIndex, pathLength, StandardCharsets.UTF_8), dataLength));
                }
                case SET_ACL -> {
                    long acl = aclBytes(in);
                    Jute.readInt(in, "version");
                    checkFootprint(pathLength, acl);
                }
                case PATH_INT -> Jute.readInt(in, "version"); // delete, check
                default -> throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD,
                        "no quota charge for " + op);
            }
            znodes.add(znodeSum);
            data.add(dataSum);
        }

        private void checkFootprint(long pathLength, long aclBytes) {
            if (oversizedIndex < 0 && 2 * pathLength + aclBytes > bytesPerZnode) {
                oversizedIndex = znodes.size();
            }
        }

        /** The jute size of a {@code vector<ACL>}: the count, then per entry perms and two length-prefixed strings. */
        private static long aclBytes(ByteBuf in) {
            int start = in.readerIndex();
            Jute.skipAclVector(in, "acl");
            return in.readerIndex() - start;
        }

        QuotaCharge build(OpCode op) {
            long[] z = new long[znodes.size()];
            long[] d = new long[data.size()];
            for (int i = 0; i < z.length; i++) {
                z[i] = znodes.get(i);
                d[i] = data.get(i);
            }
            if (z.length == 0) { // an empty multi
                return new QuotaCharge(op, new long[] {0}, new long[] {0}, -1, List.of());
            }
            return new QuotaCharge(op, z, d, oversizedIndex, setData);
        }
    }
}
