package io.zktenantproxy.proxy.flink;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a Flink leader znode says about its leader ({@code leader/<component>/connection_info} in Flink 1.15 and
 * later, {@code leader/<component>_lock} in 1.12 and 1.13), as {@link LeaderInfoParser} read it.
 *
 * @param status    whether the bytes were read, empty, or not what Flink writes
 * @param address   the leader's advertised RPC or REST address, e.g. {@code pekko.tcp://flink@10.0.0.7:6123/user/rpc/
 *                  dispatcher_1} or {@code http://10.0.0.7:8081}; null unless {@link Status#KNOWN}
 * @param sessionId the leader session id, a UUID in its canonical 36-character form; null unless {@link Status#KNOWN}
 *                  and Flink wrote one
 * @param reason    why the bytes are {@link Status#UNREADABLE}: one line naming the field and the bound, e.g.
 *                  {@code "class: org.example.Gadget (expected: java.util.UUID)"}; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaderInfo(Status status, String address, String sessionId, String reason) {

    /** How far the bytes could be read. */
    public enum Status {
        /** Address and (possibly null) session id read. */
        KNOWN,
        /** No bytes: Flink clears the node this way when leadership is revoked (1.15 and later). */
        EMPTY,
        /** Bytes that are not exactly what Flink writes; nothing of them is shown. */
        UNREADABLE
    }

    /** @return a known leader */
    static LeaderInfo known(String address, String sessionId) {
        return new LeaderInfo(Status.KNOWN, address, sessionId, null);
    }

    /** The empty (cleared) information. */
    static final LeaderInfo EMPTY = new LeaderInfo(Status.EMPTY, null, null, null);

    /** @return bytes that could not be read, and why */
    static LeaderInfo unreadable(String reason) {
        return new LeaderInfo(Status.UNREADABLE, null, null, reason);
    }
}
