package io.zktenantproxy.proxy.metrics;

import io.zktenantproxy.protocol.ProtocolException;
import java.util.Locale;

/** Why the proxy closed a client connection; the {@code reason} tag of {@code zktp_connections_closed_total}. */
public enum CloseReason {
    /** The client closed its side. */
    CLIENT_CLOSED,
    /** The ensemble server closed the upstream connection (the client reconnects and resumes). */
    UPSTREAM_CLOSED,
    /** No ensemble server accepted a connection. */
    UPSTREAM_UNAVAILABLE,
    /** The tenant's chroot could not be created. */
    CHROOT_UNAVAILABLE,
    /** The ensemble refused the tenant identity the proxy authenticates the session as. */
    UPSTREAM_AUTH_FAILED,
    /** The tenant has a znode or byte quota, and the ensemble's count of its usage could not be set up. */
    QUOTA_UNAVAILABLE,
    /** No ConnectRequest within the handshake timeout. */
    HANDSHAKE_TIMEOUT,
    /** Nothing received within the idle timeout. */
    IDLE_TIMEOUT,
    /** The tenant already has its maximum number of connections. */
    TOO_MANY_CONNECTIONS,
    /** A resume of a session that another tenant created. */
    SESSION_OF_OTHER_TENANT,
    /** A four-letter word was answered; ZooKeeper closes after one too. */
    FOUR_LETTER_WORD,
    /** The proxy is shutting down. */
    SHUTDOWN,
    /** An I/O error on either side. */
    IO_ERROR,
    /** A frame length below zero or above {@code limits.maxFrameBytes}. */
    PROTOCOL_FRAME_LENGTH,
    /** A record ended before its fields did. */
    PROTOCOL_TRUNCATED,
    /** A frame held bytes after its record. */
    PROTOCOL_TRAILING_BYTES,
    /** Invalid UTF-8 in a string, or a boolean that is not 0 or 1. */
    PROTOCOL_MALFORMED_FIELD,
    /** A malformed ConnectRequest or ConnectResponse. */
    PROTOCOL_HANDSHAKE,
    /** A reply out of xid order, or a special xid misused. */
    PROTOCOL_XID,
    /** A TLS client reached a plain listener (its first bytes were a TLS handshake record). */
    TLS_ON_PLAIN_LISTENER,
    /** A reload removed the tenant, and its drain period ({@code limits.drainMs}) ended. */
    TENANT_REMOVED,
    /** A reload changed the tenant's chroot: its sessions' znodes and watches are under the old one. */
    CHROOT_CHANGED,
    /** A reload changed the upstream connect string: the client reconnects through the new servers. */
    UPSTREAM_MOVED,
    /** The ensemble sent a path outside the chroot (also in {@code zktp_isolation_violations_total}). */
    ISOLATION_VIOLATION;

    /** @return the reason for a {@link ProtocolException} */
    public static CloseReason of(ProtocolException e) {
        return switch (e.kind()) {
            case FRAME_LENGTH -> PROTOCOL_FRAME_LENGTH;
            case TRUNCATED -> PROTOCOL_TRUNCATED;
            case TRAILING_BYTES -> PROTOCOL_TRAILING_BYTES;
            case MALFORMED_FIELD -> PROTOCOL_MALFORMED_FIELD;
            case HANDSHAKE -> PROTOCOL_HANDSHAKE;
            case XID -> PROTOCOL_XID;
            case ISOLATION_VIOLATION -> ISOLATION_VIOLATION;
            case UPSTREAM_AUTH -> UPSTREAM_AUTH_FAILED;
            case TLS_ON_PLAIN -> TLS_ON_PLAIN_LISTENER;
        };
    }

    /**
     * @return whether this is how connections ordinarily end (either side went away, a four-letter word, shutdown,
     *         I/O): logged at DEBUG; every other reason is a refusal or a protocol error, logged at INFO
     */
    public boolean ordinary() {
        return this == CLIENT_CLOSED || this == UPSTREAM_CLOSED || this == FOUR_LETTER_WORD || this == SHUTDOWN
                || this == IO_ERROR;
    }

    /** @return the tag value, lower case */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
