package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The first frame a server sends, {@code ConnectResponse} in {@code zookeeper.jute}, with no reply header:
 *
 * <pre>
 * int protocolVersion | int timeOut (ms) | long sessionId | buffer passwd | [boolean readOnly]
 * </pre>
 *
 * A timeout of 0 (or a session id of 0) means the server refused to resume the session: it has expired.
 */
public record ConnectResponse(int protocolVersion, int timeOutMs, long sessionId, byte[] passwd, Boolean readOnly) {

    /**
     * Decodes a whole frame (4-byte length included) without consuming it.
     *
     * @throws ProtocolException ({@code HANDSHAKE}) if the frame is not exactly one ConnectResponse
     */
    public static ConnectResponse decode(ByteBuf frame) {
        ByteBuf in = frame.duplicate();
        in.skipBytes(Integer.BYTES);
        try {
            int protocolVersion = Jute.readInt(in, "ConnectResponse.protocolVersion");
            int timeOut = Jute.readInt(in, "ConnectResponse.timeOut");
            long sessionId = Jute.readLong(in, "ConnectResponse.sessionId");
            byte[] passwd = Jute.readBuffer(in, "ConnectResponse.passwd");
            Boolean readOnly = in.isReadable() ? Jute.readBool(in, "ConnectResponse.readOnly") : null;
            Jute.expectEnd(in, "ConnectResponse");
            return new ConnectResponse(protocolVersion, timeOut, sessionId, passwd, readOnly);
        } catch (ProtocolException e) {
            throw new ProtocolException(ProtocolException.Kind.HANDSHAKE, e.getMessage());
        }
    }

    /** Encodes this response as a whole frame, 4-byte length included. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        out.writeInt(0);
        out.writeInt(protocolVersion);
        out.writeInt(timeOutMs);
        out.writeLong(sessionId);
        Jute.writeBuffer(out, passwd);
        if (readOnly != null) {
            out.writeBoolean(readOnly);
        }
        return out.setInt(0, out.readableBytes() - Integer.BYTES);
    }

    /** @return whether the server refused to resume the session (it expired) */
    public boolean expired() {
        return timeOutMs <= 0;
    }
}
