package io.zktenantproxy.protocol.fuzz;

import io.zktenantproxy.protocol.OpCode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.zookeeper.common.PathUtils;

/**
 * The oracle for what the proxy sends upstream: decodes a forwarded request frame on its own (by the
 * {@code zookeeper.jute} layouts) and fails unless it is one well-formed record of its opcode whose every path lies in
 * the tenant's chroot, is valid by ZooKeeper's own {@link PathUtils}, and keeps the platform's promises (no
 * {@code delete} or {@code setACL} of the chroot znode; with an operator identity, every non-empty ACL list grants it
 * everything).
 */
final class ForwardedRequests {
    private final String root;
    private final String operatorScheme;
    private final String operatorId;

    private final boolean isolating;

    /** @param operatorScheme null when the connection has no ACL policy */
    ForwardedRequests(String root, String operatorScheme, String operatorId) {
        this(root, operatorScheme, operatorId, false);
    }

    /**
     * @param isolating the tenant has an identity upstream: no forwarded list may name {@code world}, {@code ip} or
     *                  {@code x509}
     */
    ForwardedRequests(String root, String operatorScheme, String operatorId, boolean isolating) {
        this.isolating = isolating;
        this.root = root;
        this.operatorScheme = operatorScheme;
        this.operatorId = operatorId;
    }

    void check(byte[] frame, int xid, OpCode op) {
        try {
            ByteReader r = new ByteReader(frame, 0, frame.length);
            expect(r.readInt() == frame.length - Integer.BYTES, "frame length field");
            expect(r.readInt() == xid, "xid");
            expect(r.readInt() == op.code(), "opcode");
            body(r, op, false);
            r.expectEnd();
        } catch (ByteReader.Malformed e) {
            throw new AssertionError("forwarded " + op + " is malformed: " + e.getMessage());
        }
    }

    private void body(ByteReader r, OpCode op, boolean inMulti) {
        switch (op) {
            case CREATE, CREATE2, CREATE_CONTAINER -> create(r, false);
            case CREATE_TTL -> create(r, true);
            case DELETE -> {
                String path = path(r, false);
                expect(!path.equals(root), "delete of the chroot znode forwarded");
                r.readInt();
            }
            case CHECK, CHECK_WATCHES, REMOVE_WATCHES, ADD_WATCH -> {
                path(r, false);
                r.readInt();
            }
            case EXISTS, GET_DATA, GET_CHILDREN, GET_CHILDREN2 -> {
                path(r, false);
                r.readBool();
            }
            case SET_DATA -> {
                path(r, false);
                r.readBytes();
                r.readInt();
            }
            case GET_ACL, SYNC, GET_ALL_CHILDREN_NUMBER, GET_EPHEMERALS -> path(r, false);
            case SET_ACL -> {
                String path = path(r, false);
                expect(!path.equals(root), "setACL of the chroot znode forwarded");
                acl(r);
                r.readInt();
            }
            case MULTI, MULTI_READ -> {
                expect(!inMulti, "nested multi");
                multi(r, op);
            }
            case SET_WATCHES, SET_WATCHES2 -> {
                r.readLong();
                int lists = op == OpCode.SET_WATCHES2 ? 5 : 3;
                for (int i = 0; i < lists; i++) {
                    int count = r.readInt();
                    expect(count >= -1, "watch list count " + count);
                    for (int k = 0; k < count; k++) {
                        path(r, false);
                    }
                }
            }
            case AUTH -> {
                r.readInt();
                r.readBytes();
                r.readBytes();
            }
            case SASL -> r.readBytes();
            case PING, WHO_AM_I, CLOSE_SESSION -> {
            }
            default -> throw new AssertionError("opcode " + op + " must never be forwarded");
        }
    }

    private void create(ByteReader r, boolean ttl) {
        byte[] path = r.readBytes();
        r.readBytes();
        acl(r);
        int flags = r.readInt();
        if (ttl) {
            r.readLong();
        }
        expect(flags >= 0 && flags <= 6, "create flags " + flags);
        checkPath(path, flags == 2 || flags == 3 || flags == 6);
    }

    private void multi(ByteReader r, OpCode multi) {
        while (true) {
            int type = r.readInt();
            boolean done = r.readBool();
            int err = r.readInt();
            if (done) {
                expect(type == -1 && err == -1, "multi end marker");
                return;
            }
            OpCode sub = OpCode.of(type);
            expect(sub != null, "unknown sub-op " + type + " forwarded");
            boolean allowed = multi == OpCode.MULTI_READ
                    ? sub == OpCode.GET_DATA || sub == OpCode.GET_CHILDREN
                    : switch (sub) {
                        case CREATE, CREATE2, CREATE_TTL, CREATE_CONTAINER, DELETE, SET_DATA, CHECK -> true;
                        default -> false;
                    };
            expect(allowed, sub + " forwarded inside " + multi);
            body(r, sub, true);
        }
    }

    private void acl(ByteReader r) {
        int count = r.readInt();
        expect(count >= -1, "acl count " + count);
        boolean operator = false;
        for (int i = 0; i < count; i++) {
            int perms = r.readInt();
            String scheme = string(r.readBytes());
            String id = string(r.readBytes());
            operator |= (perms & 31) == 31 && operatorScheme != null && operatorScheme.equals(scheme)
                    && operatorId.equals(id);
            expect(!isolating || !("world".equals(scheme) || "ip".equals(scheme) || "x509".equals(scheme)),
                    "an ACL entry of scheme " + scheme + " forwarded for a tenant with an identity");
        }
        if (operatorScheme != null && count > 0) {
            expect(operator, "ACL list forwarded without the operator's entry");
        }
    }

    private String path(ByteReader r, boolean sequential) {
        byte[] bytes = r.readBytes();
        return checkPath(bytes, sequential);
    }

    private String checkPath(byte[] bytes, boolean sequential) {
        expect(bytes != null, "null path forwarded");
        String path = string(bytes);
        expect(path != null, "path forwarded is not UTF-8");
        expect(path.equals(root) || path.startsWith(root + "/"), "path outside the chroot forwarded: " + path);
        try {
            PathUtils.validatePath(path, sequential);
        } catch (IllegalArgumentException e) {
            throw new AssertionError("forwarded path ZooKeeper refuses: " + e.getMessage());
        }
        return path;
    }

    /** Strict UTF-8 decoding; null when the bytes are not UTF-8. */
    private static String string(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
