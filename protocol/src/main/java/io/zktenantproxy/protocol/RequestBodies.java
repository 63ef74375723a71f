package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Walks the fields that follow the path of a request record whose path comes first ({@link OpCode#splicesPath()}),
 * checking every length against the frame, without copying anything. Used for whole requests and for the sub-ops of
 * {@code multi} / {@code multiRead}, whose records are the same.
 */
final class RequestBodies {
    /** Returned by {@link #scanAfterPath} for a create whose flags no {@code CreateMode} has. */
    static final int BAD_CREATE_FLAGS = -1;

    private RequestBodies() {
    }

    /**
     * Reads past the fields after the path of a record of {@code shape}.
     *
     * @return for creates, the {@code CreateMode} flags (or {@link #BAD_CREATE_FLAGS}); 0 otherwise
     */
    static int scanAfterPath(ByteBuf in, OpCode.RequestShape shape) {
        switch (shape) {
            case PATH, EPHEMERALS_PREFIX -> {
                return 0;
            }
            case PATH_BOOL -> {
                Jute.readBool(in, "watch");
                return 0;
            }
            case PATH_INT -> {
                Jute.readInt(in, "version");
                return 0;
            }
            case SET_DATA -> {
                Jute.skipBuffer(in, "SetDataRequest.data");
                Jute.readInt(in, "SetDataRequest.version");
                return 0;
            }
            case SET_ACL -> {
                Jute.skipAclVector(in, "SetACLRequest.acl");
                Jute.readInt(in, "SetACLRequest.version");
                return 0;
            }
            case CREATE, CREATE_TTL -> {
                Jute.skipBuffer(in, "CreateRequest.data");
                Jute.skipAclVector(in, "CreateRequest.acl");
                int flags = Jute.readInt(in, "CreateRequest.flags");
                if (shape == OpCode.RequestShape.CREATE_TTL) {
                    Jute.readLong(in, "CreateTTLRequest.ttl");
                }
                return flags >= 0 && flags <= 6 ? flags : BAD_CREATE_FLAGS;
            }
            default -> throw new IllegalArgumentException("not a path-first shape: " + shape);
        }
    }

    /**
     * @return whether {@code flags} ({@code CreateMode.toFlag()}) is sequential: PERSISTENT_SEQUENTIAL (2),
     *         EPHEMERAL_SEQUENTIAL (3) or PERSISTENT_SEQUENTIAL_WITH_TTL (6)
     */
    static boolean sequential(int flags) {
        return flags == 2 || flags == 3 || flags == 6;
    }
}
