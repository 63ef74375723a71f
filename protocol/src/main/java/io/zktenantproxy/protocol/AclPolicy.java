package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * What the proxy does to the ACL lists a tenant sends ({@code vector<ACL>} in create, create2, createContainer,
 * createTTL and setACL, also inside multi), so that a tenant cannot lock the platform out of its own chroot.
 *
 * <p>With an operator identity ({@link #appendOperator}), every non-empty ACL list gets one more entry,
 * {@code ACL{ALL, Id{scheme, id}}}, unless it already grants that identity everything; the proxy's own client
 * authenticates as that identity, so provisioning, tree inspection and clean-up keep working whatever ACLs the
 * tenant sets. An empty list is left empty (the ensemble refuses it with {@code INVALIDACL}, as it would directly).
 * {@link #NONE} leaves ACLs as the tenant sent them. Either way the chroot znode's own ACL cannot be changed by the
 * tenant (setACL on {@code /} is refused with {@code NOAUTH}; see {@code ChrootPolicy}).
 *
 * <pre>
 * ACL: int perms | Id{ ustring scheme | ustring id }
 * </pre>
 */
public final class AclPolicy {
    /** {@code ZooDefs.Perms.ALL}. */
    public static final int PERMS_ALL = 31;
    /** Leave every ACL as sent. */
    public static final AclPolicy NONE = new AclPolicy(null, null);

    private final ByteBuf scheme;
    private final ByteBuf id;

    private AclPolicy(String scheme, String id) {
        this.scheme = scheme == null ? null : utf8(scheme);
        this.id = id == null ? null : utf8(id);
    }

    /**
     * @param scheme e.g. {@code digest}
     * @param id     e.g. {@code zktp-ops:<base64 sha1 of user:password>}, as {@code DigestAuthenticationProvider}
     *               makes it
     */
    public static AclPolicy appendOperator(String scheme, String id) {
        return new AclPolicy(scheme, id);
    }

    /** @return whether ACL lists are rewritten at all */
    public boolean active() {
        return scheme != null;
    }

    /**
     * Copies the {@code vector<ACL>} at {@code in}'s reader index to {@code out}, applying the policy, and advances
     * {@code in} past it.
     */
    void copyAcl(ByteBuf in, ByteBuf out) {
        int start = in.readerIndex();
        int count = Jute.readCount(in, 3 * Integer.BYTES, "acl");
        boolean granted = false;
        for (int i = 0; i < count; i++) {
            int perms = Jute.readInt(in, "acl.perms");
            boolean schemeMatches = matches(in, scheme, "acl.id.scheme");
            boolean idMatches = matches(in, id, "acl.id.id");
            granted |= schemeMatches && idMatches && (perms & PERMS_ALL) == PERMS_ALL;
        }
        if (!active() || count <= 0 || granted) {
            out.writeBytes(in, start, in.readerIndex() - start);
            return;
        }
        out.writeInt(count + 1);
        out.writeBytes(in, start + Integer.BYTES, in.readerIndex() - start - Integer.BYTES);
        out.writeInt(PERMS_ALL);
        out.writeInt(scheme.readableBytes());
        out.writeBytes(scheme, 0, scheme.readableBytes());
        out.writeInt(id.readableBytes());
        out.writeBytes(id, 0, id.readableBytes());
    }

    /** Reads a {@code ustring} (checked UTF-8) and tells whether it equals {@code expected}. */
    private static boolean matches(ByteBuf in, ByteBuf expected, String field) {
        int length = Jute.readLength(in, field);
        int index = in.readerIndex();
        if (length > 0) {
            in.skipBytes(length);
            if (!Utf8.isValid(in, index, length)) {
                throw new ProtocolException(ProtocolException.Kind.MALFORMED_FIELD, field + ": not valid UTF-8");
            }
        }
        return expected != null && length == expected.readableBytes()
                && ByteBufUtil.equals(in, index, expected, 0, length);
    }

    /**
     * Copies the fields of a request of {@code op} that follow its path, {@code in[from, to)}, to {@code out}, with
     * the ACL list ({@link OpCode#carriesAcl()}) rewritten by this policy.
     */
    void copyAfterPath(OpCode op, ByteBuf in, int from, int to, ByteBuf out) {
        if (!active() || !op.carriesAcl()) {
            out.writeBytes(in, from, to - from);
            return;
        }
        int aclIndex = from;
        if (op.request() != OpCode.RequestShape.SET_ACL) {
            ByteBuf cursor = in.duplicate().setIndex(from, to);
            Jute.skipBuffer(cursor, "data"); // a create's data comes before its ACL list
            aclIndex = cursor.readerIndex();
            out.writeBytes(in, from, aclIndex - from);
        }
        copyFromAcl(in, aclIndex, to, out);
    }

    /**
     * Copies {@code in[from, to)}, which starts with a {@code vector<ACL>}, to {@code out}, with that list rewritten
     * by this policy and the fields after it (flags, ttl, version) as they are.
     */
    void copyFromAcl(ByteBuf in, int from, int to, ByteBuf out) {
        ByteBuf cursor = in.duplicate().setIndex(from, to);
        copyAcl(cursor, out);
        out.writeBytes(cursor, cursor.readerIndex(), cursor.readableBytes());
    }

    private static ByteBuf utf8(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8)));
    }
}
