package io.zktenantproxy.protocol.testkit;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.jute.Record;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetChildren2Request;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetSASLRequest;
import org.apache.zookeeper.proto.ReconfigRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.WatcherEvent;

/**
 * Client requests for every opcode, each as the official jute records serialise it, with what the proxy must send
 * upstream (the same records with the chroot prepended, or the very same bytes) or the error it must answer with.
 * Shared by the golden tests, the fuzz tests (as seeds to mutate) and the benchmark. Replies are {@link GoldenReplies}.
 */
public final class GoldenCases {
    /** The tenant's chroot every golden frame is written for. */
    public static final String CHROOT = "/tenants/t1";
    public static final int XID = 7;
    public static final byte[] DATA = "hello".getBytes(StandardCharsets.US_ASCII);
    public static final List<ACL> ACLS = List.of(new ACL(31, new Id("world", "anyone")),
            new ACL(1, new Id("digest", "user:2jmj7l5rSw0yVb/vlWAYkK/YBwk=")));
    public static final Stat STAT = new Stat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    /** The node whose data the proxy serves itself ({@code ZooDefs.CONFIG_NODE}). */
    public static final String CONFIG = ZooDefs.CONFIG_NODE;

    /**
     * One request.
     *
     * @param upstream     the frame the proxy must forward, or null when it must answer itself
     * @param upstreamBody the body jute must read back from {@code upstream} (null: no body)
     * @param err          the error the proxy answers with when {@code upstream} is null
     * @param reply        the body of the proxy's own reply when it is more than a header (a failed multi's results),
     *                     with header err 0; null for a header-only reply with {@code err}
     */
    public record Request(String name, OpCode op, int xid, byte[] client, byte[] upstream, Record upstreamBody,
                          int err, Record reply) {
        public boolean forwarded() {
            return upstream != null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private GoldenCases() {
    }

    /** Built once: the fuzz tests ask for canonical requests thousands of times. */
    private static final class Cached {
        static final List<Request> REQUESTS = requests();
    }

    private static Request forward(String name, OpCode op, Record clientBody, Record serverBody) {
        return forward(name, op, XID, clientBody, serverBody);
    }

    private static Request forward(String name, OpCode op, int xid, Record clientBody, Record serverBody) {
        return new Request(name, op, xid, JuteFrames.request(xid, op.code(), clientBody),
                JuteFrames.request(xid, op.code(), serverBody), serverBody, KeeperCode.OK, null);
    }

    /** A request forwarded byte for byte (nothing in it is a path). */
    private static Request identity(String name, OpCode op, int xid, Record... body) {
        byte[] frame = JuteFrames.request(xid, op.code(), body);
        return new Request(name, op, xid, frame, frame, body.length == 0 ? null : body[0], KeeperCode.OK, null);
    }

    private static Request answered(String name, OpCode op, int err, Record... body) {
        return new Request(name, op, XID, JuteFrames.request(XID, op.code(), body), null, null, err, null);
    }

    private static Request answered(String name, OpCode op, byte[] client, int err) {
        return new Request(name, op, XID, client, null, null, err, null);
    }

    /**
     * A {@code multi} the proxy refuses for a bad sub-op path, answered as ZooKeeper answers a failed multi: header
     * err 0 and one {@code ErrorResult} per sub-op with {@code errs}.
     */
    private static Request failedMulti(String name, List<SubOp> subs, int... errs) {
        MultiResponse results = new MultiResponse();
        for (int err : errs) {
            results.add(new OpResult.ErrorResult(err));
        }
        return new Request(name, OpCode.MULTI, XID, multiFrame(XID, OpCode.MULTI, subs), null, null,
                KeeperCode.BAD_ARGUMENTS, results);
    }

    /** A {@code multi} or {@code multiRead} request of {@code subs}. */
    public static byte[] multiFrame(int xid, OpCode op, List<SubOp> subs) {
        return JuteFrames.request(xid, op.code(), JuteFrames.multi(subs));
    }

    private static Request multi(String name, OpCode op, List<SubOp> client, List<SubOp> server) {
        return new Request(name, op, XID, multiFrame(XID, op, client), multiFrame(XID, op, server), null,
                KeeperCode.OK, null);
    }

    public static List<SubOp> tenMultiOps(String root) {
        List<SubOp> subs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            subs.add(switch (i % 4) {
                case 0 -> new SubOp(OpCode.CREATE, new CreateRequest(root + "/jobs/" + i, DATA, ACLS, 0));
                case 1 -> new SubOp(OpCode.SET_DATA, new SetDataRequest(root + "/jobs/" + i, DATA, 3));
                case 2 -> new SubOp(OpCode.CHECK, new CheckVersionRequest(root + "/jobs/" + i, 1));
                default -> new SubOp(OpCode.DELETE, new DeleteRequest(root + "/jobs/" + i, -1));
            });
        }
        return subs;
    }

    /** Every request case; {@link #requests()} holds at least one per {@link OpCode}, see GoldenRequestTest. */
    public static List<Request> requests() {
        String c = CHROOT;
        byte[] kib = new byte[1024];
        Arrays.fill(kib, (byte) 'x');
        List<Request> list = new ArrayList<>(List.of(
                forward("create", OpCode.CREATE, new CreateRequest("/a", DATA, ACLS, 0),
                        new CreateRequest(c + "/a", DATA, ACLS, 0)),
                forward("create of the root, not sequential: the chroot itself", OpCode.CREATE,
                        new CreateRequest("/", DATA, ACLS, 1), new CreateRequest(c, DATA, ACLS, 1)),
                forward("create sequential of the root: counter lands under the chroot", OpCode.CREATE,
                        new CreateRequest("/", DATA, ACLS, 2), new CreateRequest(c + "/", DATA, ACLS, 2)),
                forward("create ephemeral sequential with trailing /", OpCode.CREATE,
                        new CreateRequest("/latch/", null, ACLS, 3), new CreateRequest(c + "/latch/", null, ACLS, 3)),
                forward("create sequential ending in a dot", OpCode.CREATE,
                        new CreateRequest("/a/.", DATA, ACLS, 2), new CreateRequest(c + "/a/.", DATA, ACLS, 2)),
                forward("create with a 1 KiB payload (spliced, not copied)", OpCode.CREATE,
                        new CreateRequest("/big", kib, ACLS, 0), new CreateRequest(c + "/big", kib, ACLS, 0)),
                forward("create with null data and empty ACL", OpCode.CREATE,
                        new CreateRequest("/n", null, List.of(), 0), new CreateRequest(c + "/n", null, List.of(), 0)),
                forward("create2", OpCode.CREATE2, new CreateRequest("/a/b", DATA, ACLS, 1),
                        new CreateRequest(c + "/a/b", DATA, ACLS, 1)),
                forward("createContainer", OpCode.CREATE_CONTAINER, new CreateRequest("/box", DATA, ACLS, 4),
                        new CreateRequest(c + "/box", DATA, ACLS, 4)),
                forward("createTTL", OpCode.CREATE_TTL, new CreateTTLRequest("/ttl", DATA, ACLS, 5, 60_000),
                        new CreateTTLRequest(c + "/ttl", DATA, ACLS, 5, 60_000)),
                forward("createTTL sequential of the root", OpCode.CREATE_TTL,
                        new CreateTTLRequest("/", DATA, ACLS, 6, 1), new CreateTTLRequest(c + "/", DATA, ACLS, 6, 1)),
                answered("create with an unknown mode", OpCode.CREATE, KeeperCode.BAD_ARGUMENTS,
                        new CreateRequest("/a", DATA, ACLS, 7)),
                answered("create of a relative path", OpCode.CREATE, KeeperCode.BAD_ARGUMENTS,
                        new CreateRequest("a", DATA, ACLS, 0)),
                answered("create with a trailing / not sequential", OpCode.CREATE, KeeperCode.BAD_ARGUMENTS,
                        new CreateRequest("/a/", DATA, ACLS, 0)),
                answered("create with a null path", OpCode.CREATE, KeeperCode.BAD_ARGUMENTS,
                        new CreateRequest(null, DATA, ACLS, 0)),
                forward("delete", OpCode.DELETE, new DeleteRequest("/a/b", 3), new DeleteRequest(c + "/a/b", 3)),
                answered("delete of the root", OpCode.DELETE, KeeperCode.BAD_ARGUMENTS, new DeleteRequest("/", -1)),
                forward("exists", OpCode.EXISTS, new ExistsRequest("/a", true), new ExistsRequest(c + "/a", true)),
                forward("exists of the root", OpCode.EXISTS, new ExistsRequest("/", false),
                        new ExistsRequest(c, false)),
                forward("getData", OpCode.GET_DATA, new GetDataRequest("/a", true),
                        new GetDataRequest(c + "/a", true)),
                answered("getData of /zookeeper/config is served by the proxy", OpCode.GET_DATA, KeeperCode.OK,
                        new GetDataRequest(CONFIG, true)),
                forward("getData of /zookeeper/quota goes under the chroot", OpCode.GET_DATA,
                        new GetDataRequest("/zookeeper/quota", false),
                        new GetDataRequest(c + "/zookeeper/quota", false)),
                forward("setData", OpCode.SET_DATA, new SetDataRequest("/a", kib, 7),
                        new SetDataRequest(c + "/a", kib, 7)),
                forward("setData small", OpCode.SET_DATA, new SetDataRequest("/a", DATA, -1),
                        new SetDataRequest(c + "/a", DATA, -1)),
                forward("getACL", OpCode.GET_ACL, new GetACLRequest("/a"), new GetACLRequest(c + "/a")),
                forward("setACL", OpCode.SET_ACL, new SetACLRequest("/a", ACLS, 2),
                        new SetACLRequest(c + "/a", ACLS, 2)),
                forward("getChildren", OpCode.GET_CHILDREN, new GetChildrenRequest("/", true),
                        new GetChildrenRequest(c, true)),
                forward("getChildren2", OpCode.GET_CHILDREN2, new GetChildren2Request("/a", false),
                        new GetChildren2Request(c + "/a", false)),
                forward("sync", OpCode.SYNC, new SyncRequest("/a"), new SyncRequest(c + "/a")),
                forward("check", OpCode.CHECK, new CheckVersionRequest("/a", 4),
                        new CheckVersionRequest(c + "/a", 4)),
                multi("multi of creates, create2, createTTL, createContainer, delete, setData, check", OpCode.MULTI,
                        multiOps(""), multiOps(c)),
                multi("multi of 10 ops", OpCode.MULTI, tenMultiOps(""), tenMultiOps(c)),
                multi("empty multi", OpCode.MULTI, List.of(), List.of()),
                failedMulti("multi with one bad path fails whole, with ZooKeeper's per-op results",
                        List.of(new SubOp(OpCode.CREATE, new CreateRequest("/ok", DATA, ACLS, 0)),
                                new SubOp(OpCode.DELETE, new DeleteRequest("/bad/", -1))),
                        KeeperCode.OK, KeeperCode.BAD_ARGUMENTS),
                failedMulti("multi failing in its middle: OK before, RUNTIMEINCONSISTENCY after",
                        List.of(new SubOp(OpCode.CREATE, new CreateRequest("/okA", DATA, ACLS, 0)),
                                new SubOp(OpCode.CREATE, new CreateRequest("bad", DATA, ACLS, 0)),
                                new SubOp(OpCode.SET_DATA, new SetDataRequest("/okB", DATA, -1)),
                                new SubOp(OpCode.DELETE, new DeleteRequest("/", -1))),
                        KeeperCode.OK, KeeperCode.BAD_ARGUMENTS, KeeperCode.RUNTIME_INCONSISTENCY,
                        KeeperCode.RUNTIME_INCONSISTENCY),
                answered("multi holding a getData is refused", OpCode.MULTI,
                        multiFrame(XID, OpCode.MULTI, List.of(new SubOp(OpCode.GET_DATA, new GetDataRequest("/a",
                                false)))), KeeperCode.BAD_ARGUMENTS),
                answered("multi holding a notification is refused", OpCode.MULTI,
                        multiFrame(XID, OpCode.MULTI, List.of(new SubOp(OpCode.NOTIFICATION, new SyncRequest("/a")))),
                        KeeperCode.BAD_ARGUMENTS),
                answered("multi holding an opcode ZooKeeper lacks is refused", OpCode.MULTI,
                        multiFrame(XID, OpCode.MULTI, List.of(new SubOp(99, new SyncRequest("/a")))),
                        KeeperCode.UNIMPLEMENTED),
                multi("multiRead", OpCode.MULTI_READ,
                        List.of(new SubOp(OpCode.GET_DATA, new GetDataRequest("/a", false)),
                                new SubOp(OpCode.GET_CHILDREN, new GetChildrenRequest("/", false))),
                        List.of(new SubOp(OpCode.GET_DATA, new GetDataRequest(c + "/a", false)),
                                new SubOp(OpCode.GET_CHILDREN, new GetChildrenRequest(c, false)))),
                answered("multiRead holding a create is refused", OpCode.MULTI_READ,
                        multiFrame(XID, OpCode.MULTI_READ, List.of(new SubOp(OpCode.CREATE, new CreateRequest("/a",
                                DATA, ACLS, 0)))), KeeperCode.BAD_ARGUMENTS),
                answered("reconfig", OpCode.RECONFIG, KeeperCode.RECONFIG_DISABLED,
                        new ReconfigRequest("server.4=evil:2888:3888;2181", null, null, -1)),
                answered("createSession", OpCode.CREATE_SESSION, KeeperCode.UNIMPLEMENTED),
                answered("deleteContainer", OpCode.DELETE_CONTAINER, KeeperCode.UNIMPLEMENTED,
                        new DeleteRequest("/box", -1)),
                answered("notification sent as a request", OpCode.NOTIFICATION, KeeperCode.UNIMPLEMENTED,
                        new WatcherEvent(1, 3, "/a")),
                answered("error opcode sent as a request", OpCode.ERROR, KeeperCode.UNIMPLEMENTED),
                forward("checkWatches", OpCode.CHECK_WATCHES, new CheckWatchesRequest("/a", 1),
                        new CheckWatchesRequest(c + "/a", 1)),
                forward("removeWatches", OpCode.REMOVE_WATCHES, new RemoveWatchesRequest("/a", 3),
                        new RemoveWatchesRequest(c + "/a", 3)),
                identity("auth", OpCode.AUTH, Xids.AUTH, new AuthPacket(0, "digest", "user:secret".getBytes(
                        StandardCharsets.US_ASCII))),
                forward("setWatches drops /zookeeper/config data and exist watches", OpCode.SET_WATCHES,
                        Xids.SET_WATCHES,
                        new SetWatches(0x99, List.of("/a", CONFIG), List.of(CONFIG, "/b"), List.of("/", CONFIG)),
                        new SetWatches(0x99, List.of(c + "/a"), List.of(c + "/b"), List.of(c, c + CONFIG))),
                forward("setWatches with empty lists", OpCode.SET_WATCHES, Xids.SET_WATCHES,
                        new SetWatches(1, List.of(), List.of(), List.of()),
                        new SetWatches(1, List.of(), List.of(), List.of())),
                answered("setWatches with a bad path", OpCode.SET_WATCHES, KeeperCode.BAD_ARGUMENTS,
                        new SetWatches(1, List.of("/a", "/b/../c"), List.of(), List.of())),
                forward("setWatches2", OpCode.SET_WATCHES2, Xids.SET_WATCHES,
                        new SetWatches2(7, List.of(CONFIG), List.of("/e"), List.of("/c"), List.of("/p", CONFIG),
                                List.of("/")),
                        new SetWatches2(7, List.of(), List.of(c + "/e"), List.of(c + "/c"),
                                List.of(c + "/p", c + CONFIG), List.of(c))),
                identity("sasl", OpCode.SASL, XID, new GetSASLRequest(new byte[] {1, 2, 3})),
                forward("getEphemerals of everything", OpCode.GET_EPHEMERALS, new GetEphemeralsRequest("/"),
                        new GetEphemeralsRequest(c)),
                forward("getEphemerals of a prefix", OpCode.GET_EPHEMERALS, new GetEphemeralsRequest("/app"),
                        new GetEphemeralsRequest(c + "/app")),
                forward("getAllChildrenNumber", OpCode.GET_ALL_CHILDREN_NUMBER,
                        new GetAllChildrenNumberRequest("/a"), new GetAllChildrenNumberRequest(c + "/a")),
                forward("addWatch persistent recursive", OpCode.ADD_WATCH, new AddWatchRequest("/", 1),
                        new AddWatchRequest(c, 1)),
                identity("whoAmI", OpCode.WHO_AM_I, XID),
                identity("ping", OpCode.PING, Xids.PING),
                identity("closeSession", OpCode.CLOSE_SESSION, XID)));
        return list;
    }

    /** The first forwarded case of {@code op}: a request that leaves {@code op} pending upstream. */
    public static Request canonical(OpCode op) {
        return Cached.REQUESTS.stream().filter(r -> r.op() == op && r.forwarded()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no forwarded case for " + op));
    }

    /** Every sub-op a write multi may hold, under {@code root} ("" for the client's view). */
    private static List<SubOp> multiOps(String root) {
        String r = root;
        return List.of(
                new SubOp(OpCode.CREATE, new CreateRequest(r + "/job", DATA, ACLS, 0)),
                new SubOp(OpCode.CREATE, new CreateRequest(r + "/", DATA, ACLS, 3)),
                new SubOp(OpCode.CREATE2, new CreateRequest(r + "/job/locks", null, ACLS, 0)),
                new SubOp(OpCode.CREATE_TTL, new CreateTTLRequest(r + "/ttl", DATA, ACLS, 5, 1000)),
                new SubOp(OpCode.CREATE_CONTAINER, new CreateRequest(r + "/box", DATA, ACLS, 4)),
                new SubOp(OpCode.DELETE, new DeleteRequest(r + "/old", -1)),
                new SubOp(OpCode.SET_DATA, new SetDataRequest(r + "/job", DATA, 0)),
                new SubOp(OpCode.CHECK, new CheckVersionRequest(r.isEmpty() ? "/" : r, 2)));
    }
}
