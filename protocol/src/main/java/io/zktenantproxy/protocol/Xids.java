package io.zktenantproxy.protocol;

/**
 * The special xids of {@code org.apache.zookeeper.ClientCnxn}. Replies to ordinary xids come back in request order;
 * these do not (notifications are unsolicited, pings and auth are not queued by the client), except
 * {@link #SET_WATCHES}, which the client queues like any request.
 */
public final class Xids {
    /** A watch notification, server to client ({@code WatcherEvent}). */
    public static final int NOTIFICATION = -1;
    /** A ping and its reply. */
    public static final int PING = -2;
    /**
     * Requests the proxy itself sends on a client's session (the session's ownership marker). Reserved: a client
     * using it is refused, so its reply can never be mistaken for the client's.
     */
    public static final int PROXY = -3;
    /** An {@code AuthPacket} and its reply. */
    public static final int AUTH = -4;
    /** The {@code SetWatches}/{@code SetWatches2} a client sends right after reconnecting. */
    public static final int SET_WATCHES = -8;

    private Xids() {
    }
}
