package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The watches one session holds on its ensemble server, as that server's {@code WatchManager}s keep them (3.9): a data
 * table and a child table, each with at most one entry per path for the connection, whatever modes it combines. The
 * count is the sum of both tables' entries, what {@code getWatchCount} reports for the connection.
 *
 * <pre>
 * getData, exists (also on a missing node), getChildren(2) with watch=true   standard entry, data or child table
 * addWatch PERSISTENT (0)                                                    entries in both tables
 * addWatch PERSISTENT_RECURSIVE (1)                                          data table entry
 * setWatches / setWatches2 lists                                             as if each were registered
 * event NodeCreated / NodeDataChanged on P    clears the standard data watch of P
 * event NodeDeleted on P                      clears the standard data and child watches of P
 * event NodeChildrenChanged on P              clears the standard child watch of P
 * removeWatches 1 child, 2 data (standard), 3 any (every mode), 4 persistent, 5 persistent recursive
 * </pre>
 *
 * Registrations count from their successful reply; each request that could register a new entry holds a place
 * until then, so pipelined requests cannot overshoot. Keys are server paths (events arrive with them). Owned by the
 * connection's event loop.
 */
final class WatchLedger {
    static final int STANDARD = 1;
    static final int PERSISTENT = 2;
    static final int RECURSIVE = 4;

    private final int limit;
    private final Map<String, Integer> data = new HashMap<>();
    private final Map<String, Integer> child = new HashMap<>();
    private int reserved;

    /** A registration awaiting its reply, or a removal. */
    record Change(String path, int dataBits, int childBits, boolean missingNodeRegisters, boolean removal,
                  int reservedPlaces) {
    }

    /** @param limit entries this session may hold, 0 for no limit */
    WatchLedger(int limit) {
        this.limit = limit;
    }

    /** @return entries held now, both tables */
    int size() {
        return data.size() + child.size();
    }

    /**
     * The change a request will make if it succeeds, reserving its place; null if it makes none.
     *
     * @param op       the request's opcode
     * @param upstream the request frame as it goes upstream (server path)
     * @param client   the request frame as the client sent it (for the trailing watch flag)
     * @return the change, null for none, or {@link #OVER} if it would take the session over its limit
     */
    Change registration(OpCode op, ByteBuf upstream, ByteBuf client) {
        Change change = switch (op) {
            case GET_DATA, EXISTS -> watchFlag(client) ? new Change(path(upstream), STANDARD, 0,
                    op == OpCode.EXISTS, false, 0) : null;
            case GET_CHILDREN, GET_CHILDREN2 -> watchFlag(client)
                    ? new Change(path(upstream), 0, STANDARD, false, false, 0) : null;
            case ADD_WATCH -> addWatch(upstream);
            case REMOVE_WATCHES -> removal(upstream);
            default -> null;
        };
        if (change == null || change.removal()) {
            return change;
        }
        int places = newEntries(change.path(), change.dataBits(), change.childBits());
        if (places == 0) {
            return change;
        }
        if (limit > 0 && size() + reserved + places > limit) {
            return OVER;
        }
        reserved += places;
        return new Change(change.path(), change.dataBits(), change.childBits(), change.missingNodeRegisters(), false,
                places);
    }

    /** Returned by {@link #registration} for a request that would take the session over its watch limit. */
    static final Change OVER = new Change("", 0, 0, false, false, 0);

    /** The reply to a request {@link #registration} returned {@code change} for. */
    void replied(Change change, int err) {
        reserved -= change.reservedPlaces();
        boolean registered = err == KeeperCode.OK || (err == KeeperCode.NO_NODE && change.missingNodeRegisters());
        if (!registered) {
            return;
        }
        if (change.removal()) {
            clear(data, change.path(), change.dataBits());
            clear(child, change.path(), change.childBits());
        } else {
            set(data, change.path(), change.dataBits());
            set(child, change.path(), change.childBits());
        }
    }

    /** The reply never comes (the connection closed): give the place back. */
    void abandoned(Change change) {
        reserved -= change.reservedPlaces();
    }

    /**
     * Checks and records the watch lists of a setWatches or setWatches2 going upstream: every listed watch counts as
     * registered from now on (the server fires at once those whose node changed, and the events clear them).
     *
     * @param upstream the rewritten request (server paths)
     * @return false, recording nothing, if the lists would take the session over its limit
     */
    boolean restore(OpCode op, ByteBuf upstream) {
        ByteBuf in = upstream.duplicate();
        in.skipBytes(Integer.BYTES + Jute.REQUEST_HEADER_BYTES + Long.BYTES);
        int lists = op == OpCode.SET_WATCHES2 ? 5 : 3;
        Map<String, Integer> newData = new HashMap<>();
        Map<String, Integer> newChild = new HashMap<>();
        for (int list = 0; list < lists; list++) {
            int count = Jute.readInt(in, "watches");
            for (int i = 0; i < count; i++) {
                int length = Jute.readLength(in, "watch");
                String path = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
                in.skipBytes(length);
                switch (list) {
                    case 0, 1 -> newData.merge(path, STANDARD, (a, b) -> a | b);
                    case 2 -> newChild.merge(path, STANDARD, (a, b) -> a | b);
                    case 3 -> {
                        newData.merge(path, PERSISTENT, (a, b) -> a | b);
                        newChild.merge(path, PERSISTENT, (a, b) -> a | b);
                    }
                    default -> newData.merge(path, RECURSIVE, (a, b) -> a | b);
                }
            }
        }
        Set<String> added = new HashSet<>(newData.keySet());
        added.removeAll(data.keySet());
        int places = added.size();
        for (String path : newChild.keySet()) {
            if (!child.containsKey(path)) {
                places++;
            }
        }
        if (limit > 0 && places > 0 && size() + reserved + places > limit) {
            return false;
        }
        newData.forEach((path, bits) -> set(data, path, bits));
        newChild.forEach((path, bits) -> set(child, path, bits));
        return true;
    }

    /**
     * A watch event reached the client: one-shot watches it fires stop counting.
     *
     * @param type {@code WatcherEvent.type}: 1 created, 2 deleted, 3 data changed, 4 children changed
     * @param path the event's server path
     */
    void fired(int type, String path) {
        switch (type) {
            case 1, 3 -> clear(data, path, STANDARD);
            case 2 -> {
                clear(data, path, STANDARD);
                clear(child, path, STANDARD);
            }
            case 4 -> clear(child, path, STANDARD);
            default -> {
            }
        }
    }

    private int newEntries(String path, int dataBits, int childBits) {
        return (dataBits != 0 && !data.containsKey(path) ? 1 : 0) + (childBits != 0 && !child.containsKey(path) ? 1 : 0);
    }

    private static void set(Map<String, Integer> table, String path, int bits) {
        if (bits != 0) {
            table.merge(path, bits, (a, b) -> a | b);
        }
    }

    private static void clear(Map<String, Integer> table, String path, int bits) {
        if (bits != 0) {
            table.computeIfPresent(path, (p, held) -> (held & ~bits) == 0 ? null : held & ~bits);
        }
    }

    /** {@code AddWatchRequest{path, int mode}}: 0 persistent, 1 persistent recursive; another mode registers nothing. */
    private static Change addWatch(ByteBuf upstream) {
        int mode = trailingInt(upstream);
        return switch (mode) {
            case 0 -> new Change(path(upstream), PERSISTENT, PERSISTENT, false, false, 0);
            case 1 -> new Change(path(upstream), RECURSIVE, 0, false, false, 0);
            default -> null;
        };
    }

    /** {@code RemoveWatchesRequest{path, int type}}, as {@code DataTree.removeWatch} applies it. */
    private static Change removal(ByteBuf upstream) {
        int type = trailingInt(upstream);
        int all = STANDARD | PERSISTENT | RECURSIVE;
        return switch (type) {
            case 1 -> new Change(path(upstream), 0, STANDARD, false, true, 0);
            case 2 -> new Change(path(upstream), STANDARD, 0, false, true, 0);
            case 3 -> new Change(path(upstream), all, all, false, true, 0);
            case 4 -> new Change(path(upstream), PERSISTENT, PERSISTENT, false, true, 0);
            case 5 -> new Change(path(upstream), RECURSIVE, 0, false, true, 0);
            default -> null;
        };
    }

    /** The server path of a path-first request: after length, xid and type. */
    private static String path(ByteBuf frame) {
        int at = frame.readerIndex() + Integer.BYTES + Jute.REQUEST_HEADER_BYTES;
        int length = frame.getInt(at);
        return frame.toString(at + Integer.BYTES, Math.max(length, 0), StandardCharsets.UTF_8);
    }

    private static int trailingInt(ByteBuf frame) {
        return frame.getInt(frame.writerIndex() - Integer.BYTES);
    }

    private static boolean watchFlag(ByteBuf client) {
        return client.getByte(client.writerIndex() - 1) != 0;
    }
}
