package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Builds the request frames the proxy sends on a client's session on its own behalf. */
public final class Requests {
    /** {@code CreateMode.EPHEMERAL.toFlag()}. */
    private static final int EPHEMERAL = 1;

    private Requests() {
    }

    /**
     * An ephemeral create owned by the session it is sent on: {@code RequestHeader{xid, create}} then
     * {@code CreateRequest{path, data, acl, EPHEMERAL}}, as a whole frame.
     *
     * @param serverPath an absolute server path (no chroot is applied)
     * @param acl        the tenant's policy, whose platform ACL the znode gets ({@link AclPolicy#writePlatformAcl}:
     *                   the platform identities alone, or {@code world:anyone ALL} without a tenant identity)
     */
    public static ByteBuf createEphemeral(ByteBufAllocator alloc, int xid, String serverPath, byte[] data,
                                          AclPolicy acl) {
        ByteBuf out = alloc.buffer(64 + serverPath.length() * 3 + data.length);
        out.writeInt(0);
        out.writeInt(xid);
        out.writeInt(OpCode.CREATE.code());
        Jute.writeString(out, serverPath);
        Jute.writeBuffer(out, data);
        acl.writePlatformAcl(out);
        out.writeInt(EPHEMERAL);
        return out.setInt(0, out.readableBytes() - Integer.BYTES);
    }

    /** A ping, {@code RequestHeader{xid -2, type 11}} with no record, as a whole frame. */
    public static ByteBuf ping(ByteBufAllocator alloc) {
        return alloc.buffer(3 * Integer.BYTES).writeInt(2 * Integer.BYTES).writeInt(Xids.PING)
                .writeInt(OpCode.PING.code());
    }
}
