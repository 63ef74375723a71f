package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;

/**
 * What became of one frame a client sent, as {@link TenantConnection#onClientFrame} reports it. Protocol errors are
 * not among them: those throw {@link ProtocolException} and end the connection.
 */
public sealed interface ClientFrame {

    /**
     * The handshake: forward {@code toUpstream} (the client's own frame, untouched) to open or resume the session.
     *
     * @param toUpstream a buffer the caller now owns and must write or release
     */
    record Connect(ConnectRequest request, ByteBuf toUpstream) implements ClientFrame {
    }

    /**
     * A request rewritten into the tenant's chroot, to be written upstream.
     *
     * @param toUpstream a buffer the caller now owns and must write or release
     */
    record Forward(int xid, OpCode op, ByteBuf toUpstream) implements ClientFrame {
    }

    /**
     * A request the proxy answered itself, in xid order (already sent or queued behind earlier replies).
     *
     * @param opCode the raw opcode from the request header (it may be one ZooKeeper does not define)
     * @param err    the {@link KeeperCode} answered; {@code OK} for a read the proxy serves itself
     * @param reason why, for logs; a fixed string, never client bytes
     */
    record Answered(int xid, int opCode, int err, String reason) implements ClientFrame {
    }
}
