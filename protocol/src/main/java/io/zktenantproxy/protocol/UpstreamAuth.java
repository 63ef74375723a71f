package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * The tenant identity on one connection's upstream session ({@link UpstreamIdentity}): its auth packets follow the
 * client's ConnectRequest, new session or resume, and their replies are the proxy's alone. Owned by the connection's
 * event loop.
 *
 * <pre>
 * upstream:  ConnectRequest | RequestHeader{-4, 100} AuthPacket{0, "digest", user:password} (one per identity) | ...
 * replies:   ConnectResponse | ReplyHeader{-4, zxid, err} (one per identity, dropped) | ...
 * </pre>
 */
final class UpstreamAuth {
    private final UpstreamIdentity identity;
    /** Replies still due to the tenant identity's auth packets. */
    private int pending;

    /** @param identity the tenant's identity upstream, or null for none (then this does nothing) */
    UpstreamAuth(UpstreamIdentity identity) {
        this.identity = identity;
    }

    /**
     * @param connect the client's ConnectRequest frame, owned by the caller until returned
     * @return {@code connect} followed by the tenant identity's {@code AuthPacket} frames
     *     ({@code RequestHeader{-4, 100}}, {@code AuthPacket{0, "digest", user:password}}), one per identity, so the
     *     session carries the identity before the ensemble reads any request of the client; {@code connect} alone
     *     without an identity
     */
    ByteBuf withUpstreamAuth(ByteBuf connect, ByteBufAllocator alloc) {
        if (identity == null) {
            return connect;
        }
        pending = identity.tenantAuth().size();
        CompositeByteBuf frames = alloc.compositeBuffer(1 + identity.tenantAuth().size());
        frames.addComponent(true, connect);
        for (byte[] auth : identity.tenantAuth()) {
            ByteBuf frame = alloc.buffer(32 + auth.length);
            frame.writeInt(0);
            frame.writeInt(Xids.AUTH);
            frame.writeInt(OpCode.AUTH.code());
            frame.writeInt(0);
            Jute.writeString(frame, "digest");
            Jute.writeBuffer(frame, auth);
            frame.setInt(0, frame.readableBytes() - Integer.BYTES);
            frames.addComponent(true, frame);
        }
        return frames;
    }

    /**
     * A reply with xid -4 came: the ensemble answers auth packets at once and in order, and the proxy's went first,
     * so the first ones are the proxy's.
     *
     * @return true when it answers the tenant identity's auth (the client must not see it), false for the client's own
     * @throws ProtocolException {@code UPSTREAM_AUTH} when the ensemble refused the tenant identity
     */
    boolean ownAuthReply(int err) {
        if (pending == 0) {
            return false;
        }
        pending--;
        if (err != KeeperCode.OK) {
            throw new ProtocolException(ProtocolException.Kind.UPSTREAM_AUTH, "the ensemble refused the tenant "
                    + "identity with error " + err + " (is the digest scheme disabled?)");
        }
        return true;
    }

}
