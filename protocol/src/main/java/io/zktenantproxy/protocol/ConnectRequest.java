package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The first frame a client sends, {@code ConnectRequest} in {@code zookeeper.jute}, with no request header:
 *
 * <pre>
 * int protocolVersion | long lastZxidSeen | int timeOut (ms) | long sessionId | buffer passwd | [boolean readOnly]
 * </pre>
 *
 * The trailing {@code readOnly} byte is absent from old clients ({@code readOnly} is then null). A session id of 0
 * asks for a new session. The proxy forwards the frame untouched: zxids, session id and password are never rewritten.
 */
public record ConnectRequest(int protocolVersion, long lastZxidSeen, int timeOutMs, long sessionId, byte[] passwd,
                             Boolean readOnly) {

    /**
     * Decodes a whole frame (4-byte length included) without consuming it.
     *
     * @throws ProtocolException ({@code HANDSHAKE}) if the frame is not exactly one ConnectRequest
     */
    public static ConnectRequest decode(ByteBuf frame) {
        return Jute.readHandshake(frame, "ConnectRequest", in -> new ConnectRequest(
                Jute.readInt(in, "ConnectRequest.protocolVersion"),
                Jute.readLong(in, "ConnectRequest.lastZxidSeen"),
                Jute.readInt(in, "ConnectRequest.timeOut"),
                Jute.readLong(in, "ConnectRequest.sessionId"),
                Jute.readBuffer(in, "ConnectRequest.passwd"),
                Jute.readTrailingBool(in, "ConnectRequest.readOnly")));
    }

    /** Encodes this request as a whole frame, 4-byte length included. */
    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer();
        out.writeInt(0);
        out.writeInt(protocolVersion);
        out.writeLong(lastZxidSeen);
        out.writeInt(timeOutMs);
        out.writeLong(sessionId);
        return Jute.endHandshake(out, passwd, readOnly);
    }
}
