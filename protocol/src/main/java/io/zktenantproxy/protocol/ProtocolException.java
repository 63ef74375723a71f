package io.zktenantproxy.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * A frame or record that breaks the ZooKeeper client wire protocol. The connection that sent it is beyond repair:
 * the proxy logs {@link #getMessage()}, counts {@link #kind()} and closes it, and forwards nothing of it.
 *
 * <p>Messages name the rule, the field and the bound, in the style of Netty's codecs, e.g.
 * {@code "FRAME_LENGTH: length 2000000 (expected: 0..1049600)"}.
 */
public class ProtocolException extends DecoderException {
    private static final long serialVersionUID = 1L;

    /** Why a connection was judged broken; a closed set so metrics can tag by it. */
    public enum Kind {
        /** A frame length below zero or above the configured maximum. */
        FRAME_LENGTH,
        /** A record ended before all its fields were read, or a length inside it points past the frame. */
        TRUNCATED,
        /** A record was read whole but the frame holds more bytes. */
        TRAILING_BYTES,
        /** A string is not valid UTF-8 or a boolean is not 0 or 1. */
        MALFORMED_FIELD,
        /** The first frame is not a well-formed ConnectRequest / ConnectResponse. */
        HANDSHAKE,
        /** A reply whose xid is not the oldest pending request's, or a special xid used for the wrong opcode. */
        XID,
        /** A path from the server that lies outside the tenant's chroot. */
        ISOLATION_VIOLATION,
        /** The ensemble refused the tenant identity the proxy authenticates the session as. */
        UPSTREAM_AUTH,
        /** The first bytes of a client connection are a TLS record: a TLS client on a plain listener. */
        TLS_ON_PLAIN
    }

    private final Kind kind;

    public ProtocolException(Kind kind, String detail) {
        super(kind + ": " + detail);
        this.kind = kind;
    }

    /** @return the rule that was broken */
    public Kind kind() {
        return kind;
    }
}
