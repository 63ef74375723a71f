package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One connection's side of its tenant's {@link AclPolicy}: the identities the session carries upstream and the ACL
 * lists and replies that name them. Remembers which ids the tenant authenticated as itself (its own {@code auth}
 * packets: a digest auth always succeeds and yields {@code user:base64(sha1(user:password))}), so that an
 * {@code auth} ACL entry names exactly those, as the ensemble would for a direct client. Owned by the connection's
 * event loop.
 *
 * <pre>
 * request ACL list  world:anyone P  ->  digest:&lt;tenant id&gt; P (one per tenant identity)
 *                   auth:* P        ->  digest:&lt;own id&gt; P (one per own digest auth); INVALIDACL with none;
 *                                       as sent after a SASL or non-digest auth (the ensemble expands it);
 *                                       INVALIDACL once an own digest auth named the tenant or a platform user
 *                   ip:*, x509:*, world:(not anyone), digest:&lt;tenant or platform user&gt;:*   ->  INVALIDACL
 *                   anything else   ->  as sent;   then + digest:&lt;platform id&gt; ALL
 * getACL reply      digest:&lt;tenant user&gt;:* P -> world:anyone P;   digest:&lt;platform user&gt;:* -> (hidden)
 * whoAmI reply      digest &lt;tenant user&gt;, digest &lt;platform user&gt;, x509:* -> (hidden)
 * </pre>
 */
final class SessionAcls {
    private static final byte[] WORLD = ascii("world");
    private static final byte[] ANYONE = ascii("anyone");
    private static final byte[] AUTH = ascii("auth");
    private static final byte[] IP = ascii("ip");
    private static final byte[] X509 = ascii("x509");
    private static final byte[] DIGEST = ascii("digest");

    private final AclPolicy policy;
    private final UpstreamIdentity identity;

    private final Set<String> hiddenUsers;
    private final List<byte[]> hiddenUserBytes;
    private final List<String> ownDigestIds = new ArrayList<>();
    private boolean ownOtherAuth;
    /**
     * The tenant authenticated itself (with a password of its own guessing) as a user only the proxy may name: its
     * own tenant user or a platform user. An {@code auth} entry would then name that user, which a {@code digest}
     * entry may not ({@code getACL} would show it as {@code world:anyone}, or not at all, and {@code migrate-acls}
     * would take it for the tenant identity).
     */
    private boolean ownHiddenDigest;

    SessionAcls(AclPolicy policy) {
        this.policy = policy;
        this.identity = policy.identity();
        this.hiddenUsers = policy.hiddenUsers();
        this.hiddenUserBytes = policy.hiddenUserBytes();
    }

    /** @return whether ACL lists are rewritten at all (else they are copied as sent) */
    boolean active() {
        return policy.active();
    }

    /** @return whether {@code getACL} and {@code whoAmI} replies are rewritten */
    boolean rewritesReplies() {
        return policy.active();
    }

    /** The tenant sent an {@code AuthPacket} of {@code scheme} with {@code auth} (forwarded as it is). */
    void authSent(String scheme, byte[] auth) {
        if ("digest".equals(scheme) && auth != null) {
            String id = identity == null ? null : identity.digestOf().apply(auth);
            if (id != null && !ownDigestIds.contains(id)) {
                ownDigestIds.add(id);
            }
            ownHiddenDigest |= id != null && hiddenUsers.contains(UpstreamIdentity.user(id));
        } else {
            ownOtherAuth = true;
        }
    }

    /** The tenant started a SASL exchange: its identity is decided by the ensemble, unseen by the proxy. */
    void saslSent() {
        ownOtherAuth = true;
    }

    /**
     * Copies the {@code vector<ACL>} at {@code in}'s reader index to {@code out}, applying the policy, and advances
     * {@code in} past it (also when it is refused).
     *
     * @return {@link KeeperCode#OK}, or {@link KeeperCode#INVALID_ACL} when the list is refused ({@code out} then
     *     holds a partial copy the caller discards)
     * @throws ProtocolException if the list is malformed
     */
    int copyAcl(ByteBuf in, ByteBuf out) {
        int start = in.readerIndex();
        int count = Jute.readCount(in, 3 * Integer.BYTES, "acl");
        if (!active() || count <= 0) {
            skipEntries(in, count);
            out.writeBytes(in, start, in.readerIndex() - start);
            return KeeperCode.OK;
        }
        return identity == null ? appendOperator(in, start, count, out) : isolate(in, count, out);
    }

    /** {@link AclPolicy#appendOperator}: the list as sent, plus the operator unless it already has everything. */
    private int appendOperator(ByteBuf in, int start, int count, ByteBuf out) {
        String operator = policy.appended().get(0);
        byte[] operatorBytes = policy.operatorIdBytes();
        boolean granted = false;
        for (int i = 0; i < count; i++) {
            int perms = Jute.readInt(in, "acl.perms");
            int schemeLength = Jute.readLength(in, "acl.id.scheme");
            int scheme = Jute.skipUtf8(in, schemeLength, "acl.id.scheme");
            int idLength = Jute.readLength(in, "acl.id.id");
            int id = Jute.skipUtf8(in, idLength, "acl.id.id");
            granted |= Jute.bytesEqual(in, scheme, schemeLength, DIGEST) && Jute.bytesEqual(in, id, idLength,
                    operatorBytes) && (perms & AclPolicy.PERMS_ALL) == AclPolicy.PERMS_ALL;
        }
        if (granted) {
            out.writeBytes(in, start, in.readerIndex() - start);
            return KeeperCode.OK;
        }
        out.writeInt(count + 1);
        out.writeBytes(in, start + Integer.BYTES, in.readerIndex() - start - Integer.BYTES);
        writeEntry(out, AclPolicy.PERMS_ALL, "digest", operator);
        return KeeperCode.OK;
    }

    /**
     * The rewrite with a tenant identity. Schemes and ids are compared as bytes and entries copied as bytes: a create
     * is the most frequent request that carries a list, and decoding every entry to strings showed in its cost.
     */
    private int isolate(ByteBuf in, int count, ByteBuf out) {
        int countIndex = out.writerIndex();
        out.writeInt(0);
        int written = 0;
        int refused = KeeperCode.OK;
        for (int i = 0; i < count; i++) {
            int entryStart = in.readerIndex();
            int perms = Jute.readInt(in, "acl.perms");
            int schemeLength = Jute.readLength(in, "acl.id.scheme");
            int scheme = Jute.skipUtf8(in, schemeLength, "acl.id.scheme");
            int idLength = Jute.readLength(in, "acl.id.id");
            int id = Jute.skipUtf8(in, idLength, "acl.id.id");
            if (refused != KeeperCode.OK) {
                continue; // walk the rest: a malformed entry later still ends the connection
            }
            if (Jute.bytesEqual(in, scheme, schemeLength, WORLD) && Jute.bytesEqual(in, id, idLength, ANYONE)) {
                written += writeEntries(out, perms, identity.tenantIds());
            } else if (Jute.bytesEqual(in, scheme, schemeLength, AUTH) && ownHiddenDigest) {
                refused = KeeperCode.INVALID_ACL; // it would name the tenant or platform user, see ownHiddenDigest
            } else if (Jute.bytesEqual(in, scheme, schemeLength, AUTH) && !ownOtherAuth) {
                if (ownDigestIds.isEmpty()) {
                    refused = KeeperCode.INVALID_ACL; // as the ensemble: no authenticated id to put there
                }
                written += writeEntries(out, perms, ownDigestIds);
            } else if (Jute.bytesEqual(in, scheme, schemeLength, WORLD)
                    || Jute.bytesEqual(in, scheme, schemeLength, IP) || Jute.bytesEqual(in, scheme, schemeLength, X509)
                    || (Jute.bytesEqual(in, scheme, schemeLength, DIGEST) && namesHiddenUser(in, id, idLength))) {
                refused = KeeperCode.INVALID_ACL; // world but not anyone: the ensemble has no such id either
            } else {
                out.writeBytes(in, entryStart, in.readerIndex() - entryStart);
                written++;
            }
        }
        if (refused != KeeperCode.OK) {
            return refused;
        }
        written += writeEntries(out, AclPolicy.PERMS_ALL, identity.platformIds());
        out.setInt(countIndex, written);
        return KeeperCode.OK;
    }

    /** @return whether the digest id at {@code index} ({@code user:hash}) names a user the tenant may not name */
    private boolean namesHiddenUser(ByteBuf in, int index, int length) {
        if (length <= 0) {
            return false;
        }
        int colon = in.indexOf(index, index + length, (byte) ':');
        int userLength = (colon < 0 ? index + length : colon) - index;
        for (byte[] user : hiddenUserBytes) {
            if (Jute.bytesEqual(in, index, userLength, user)) {
                return true;
            }
        }
        return false;
    }

    private static int writeEntries(ByteBuf out, int perms, List<String> digestIds) {
        for (String id : digestIds) {
            writeEntry(out, perms, "digest", id);
        }
        return digestIds.size();
    }

    /**
     * Copies the fields of a request of {@code op} that follow its path, {@code in[from, to)}, to {@code out}, with
     * the ACL list ({@link OpCode#carriesAcl()}) rewritten.
     *
     * @return {@link KeeperCode#OK} or the error that refuses the request
     */
    int copyAfterPath(OpCode op, ByteBuf in, int from, int to, ByteBuf out) {
        if (!active() || !op.carriesAcl()) {
            out.writeBytes(in, from, to - from);
            return KeeperCode.OK;
        }
        int aclIndex = from;
        if (op.request() != OpCode.RequestShape.SET_ACL) {
            ByteBuf cursor = in.duplicate().setIndex(from, to);
            Jute.skipBuffer(cursor, "data"); // a create's data comes before its ACL list
            aclIndex = cursor.readerIndex();
            out.writeBytes(in, from, aclIndex - from);
        }
        return copyFromAcl(in, aclIndex, to, out);
    }

    /**
     * Copies {@code in[from, to)}, which starts with a {@code vector<ACL>}, to {@code out}, with that list rewritten
     * and the fields after it (flags, ttl, version) as they are.
     *
     * @return {@link KeeperCode#OK} or the error that refuses the request
     */
    int copyFromAcl(ByteBuf in, int from, int to, ByteBuf out) {
        ByteBuf cursor = in.duplicate().setIndex(from, to);
        int err = copyAcl(cursor, out);
        out.writeBytes(cursor, cursor.readerIndex(), cursor.readableBytes());
        return err;
    }

    /**
     * Rewrites a {@code GetACLResponse{vector<ACL> acl; Stat stat}}: tenant identity entries become
     * {@code world:anyone} with their permissions (one entry where several identities stand for one), platform
     * entries are left out, everything else and the stat are copied.
     */
    void rewriteAclReply(ByteBuf in, ByteBuf out) {
        int count = Jute.readCount(in, 3 * Integer.BYTES, "GetACLResponse.acl");
        int countIndex = out.writerIndex();
        out.writeInt(count);
        int written = 0;
        // outside the int range: any int, -1 included, is perms a tenant may have set (ZooKeeper checks no range)
        long lastWorldPerms = Long.MIN_VALUE;
        String tenantUser = identity == null ? null : identity.tenantUser();
        for (int i = 0; i < count; i++) {
            int perms = Jute.readInt(in, "acl.perms");
            String scheme = Jute.readString(in, "acl.id.scheme");
            String id = Jute.readString(in, "acl.id.id");
            String user = "digest".equals(scheme) && id != null ? UpstreamIdentity.user(id) : null;
            if (user != null && user.equals(tenantUser)) {
                if (perms != lastWorldPerms) {
                    writeEntry(out, perms, "world", "anyone");
                    written++;
                    lastWorldPerms = perms;
                }
                continue;
            }
            lastWorldPerms = Long.MIN_VALUE;
            if (user != null && hiddenUsers.contains(user)) {
                continue;
            }
            writeEntry(out, perms, scheme, id);
            written++;
        }
        if (count > 0) {
            out.setInt(countIndex, written);
        }
        Jute.need(in, Jute.STAT_BYTES, "GetACLResponse.stat");
        out.writeBytes(in, Jute.STAT_BYTES);
        Jute.expectEnd(in, "GetACLResponse");
    }

    /**
     * Rewrites a {@code WhoAmIResponse{vector<ClientInfo{ustring authScheme; ustring user}>}} without the proxy's
     * identities: the tenant and platform digest users, and the {@code x509} id of the proxy's client certificate.
     */
    void rewriteWhoAmIReply(ByteBuf in, ByteBuf out) {
        int count = Jute.readCount(in, 2 * Integer.BYTES, "WhoAmIResponse.clientInfo");
        int countIndex = out.writerIndex();
        out.writeInt(count);
        int written = 0;
        for (int i = 0; i < count; i++) {
            String scheme = Jute.readString(in, "ClientInfo.authScheme");
            String user = Jute.readString(in, "ClientInfo.user");
            if ("digest".equals(scheme) && user != null && hiddenUsers.contains(user) || "x509".equals(scheme)) {
                continue; // every x509 id is the proxy's own certificate towards the ensemble: clients never send one
            }
            Jute.writeString(out, scheme);
            Jute.writeString(out, user);
            written++;
        }
        if (count > 0) {
            out.setInt(countIndex, written);
        }
        Jute.expectEnd(in, "WhoAmIResponse");
    }

    private static void skipEntries(ByteBuf in, int count) {
        for (int i = 0; i < count; i++) {
            Jute.readInt(in, "acl.perms");
            Jute.readString(in, "acl.id.scheme");
            Jute.readString(in, "acl.id.id");
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void writeEntry(ByteBuf out, int perms, String scheme, String id) {
        out.writeInt(perms);
        Jute.writeString(out, scheme);
        Jute.writeString(out, id);
    }
}
