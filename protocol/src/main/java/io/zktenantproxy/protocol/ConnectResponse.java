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
        return Jute.readHandshake(frame, "ConnectResponse", in -> new ConnectResponse(
                Jute.readInt(in, "ConnectResponse.protocolVersion"),
                Jute.readInt(in, "ConnectResponse.timeOut"),
                Jute.readLong(in, "ConnectResponse.sessionId"),
                Jute.readBuffer(in, "ConnectResponse.passwd"),
                Jute.readTrailingBool(in, "ConnectResponse.readOnly")));
    }

    /** Encodes this response as a whole frame, 4-byte length included. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        out.writeInt(0);
        out.writeInt(protocolVersion);
        out.writeInt(timeOutMs);
        out.writeLong(sessionId);
        return Jute.endHandshake(out, passwd, readOnly);
    }

    /** @return whether the server refused to resume the session (it expired) */
    public boolean expired() {
        return timeOutMs <= 0;
    }
}
