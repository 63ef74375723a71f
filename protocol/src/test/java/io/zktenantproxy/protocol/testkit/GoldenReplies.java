package io.zktenantproxy.protocol.testkit;

import static io.zktenantproxy.protocol.testkit.GoldenCases.ACLS;
import static io.zktenantproxy.protocol.testkit.GoldenCases.CHROOT;
import static io.zktenantproxy.protocol.testkit.GoldenCases.DATA;
import static io.zktenantproxy.protocol.testkit.GoldenCases.STAT;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import java.util.ArrayList;
import java.util.List;
import org.apache.jute.Record;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetACLResponse;
import org.apache.zookeeper.proto.GetAllChildrenNumberResponse;
import org.apache.zookeeper.proto.GetChildren2Response;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.SetACLResponse;
import org.apache.zookeeper.proto.SetDataResponse;
import org.apache.zookeeper.proto.SetSASLResponse;
import org.apache.zookeeper.proto.SyncResponse;
import org.apache.zookeeper.proto.WatcherEvent;
import org.apache.zookeeper.proto.WhoAmIResponse;

/**
 * Server replies for every opcode the client gets a reply to, each as the official jute records (and ZooKeeper's own
 * {@link MultiResponse}) serialise it for the {@link GoldenCases#canonical} request pending before it, with what the
 * client must get: the same records with the chroot stripped, the server's very buffer where nothing is a path, or
 * nothing, because a path outside the chroot ends the connection. Shared by the golden reply test and the fuzz tests
 * (as seeds to mutate).
 */
public final class GoldenReplies {
    /** The zxid of every golden reply. */
    public static final long ZXID = 0x1_0000_0042L;

    /**
     * @param op         the opcode of the request pending upstream (NOTIFICATION: none)
     * @param client     what the client must get, or null if the reply must be refused as an isolation violation
     * @param body       the record jute must read back from {@code client}, or null for a header-only frame
     * @param sameBuffer whether the server's own buffer must be forwarded
     */
    public record Reply(String name, OpCode op, byte[] server, byte[] client, Record body, boolean sameBuffer) {
        @Override
        public String toString() {
            return name;
        }
    }

    private GoldenReplies() {
    }

    private static Reply strip(String name, OpCode op, Record server, Record client) {
        int xid = xid(op);
        return new Reply(name, op, JuteFrames.reply(xid, ZXID, 0, server), JuteFrames.reply(xid, ZXID, 0, client),
                client, false);
    }

    private static Reply same(String name, OpCode op, int err, Record... body) {
        byte[] frame = JuteFrames.reply(xid(op), ZXID, err, body);
        return new Reply(name, op, frame, frame, body.length == 0 ? null : body[0], true);
    }

    private static Reply violation(String name, OpCode op, Record server) {
        return new Reply(name, op, JuteFrames.reply(xid(op), ZXID, 0, server), null, null, false);
    }

    private static int xid(OpCode op) {
        return op == OpCode.NOTIFICATION ? Xids.NOTIFICATION : GoldenCases.canonical(op).xid();
    }

    private static MultiResponse multiResponse(OpResult... results) {
        MultiResponse response = new MultiResponse();
        for (OpResult result : results) {
            response.add(result);
        }
        return response;
    }

    /** Every reply case; at least one per opcode the client gets a reply to, see GoldenReplyTest. */
    public static List<Reply> cases() {
        String c = CHROOT;
        List<Reply> list = new ArrayList<>(List.of(
                strip("create", OpCode.CREATE, new CreateResponse(c + "/a"), new CreateResponse("/a")),
                strip("create of the chroot itself", OpCode.CREATE, new CreateResponse(c), new CreateResponse("/")),
                strip("create sequential of the root", OpCode.CREATE, new CreateResponse(c + "/0000000001"),
                        new CreateResponse("/0000000001")),
                violation("create in a tenant whose name extends ours", OpCode.CREATE,
                        new CreateResponse("/tenants/t12/a")),
                violation("create of the chroot's parent", OpCode.CREATE, new CreateResponse("/tenants")),
                violation("create result named by a sibling /tenants/t1x", OpCode.CREATE,
                        new CreateResponse("/tenants/t1x")),
                violation("create result with a null path", OpCode.CREATE, new CreateResponse(null)),
                same("create failing with NODEEXISTS", OpCode.CREATE, KeeperCode.NODE_EXISTS),
                strip("create2", OpCode.CREATE2, new Create2Response(c + "/a/b", STAT),
                        new Create2Response("/a/b", STAT)),
                violation("create2 outside the chroot", OpCode.CREATE2, new Create2Response("/tenants/t12", STAT)),
                strip("createContainer", OpCode.CREATE_CONTAINER, new Create2Response(c + "/box", STAT),
                        new Create2Response("/box", STAT)),
                strip("createTTL", OpCode.CREATE_TTL, new Create2Response(c + "/ttl", STAT),
                        new Create2Response("/ttl", STAT)),
                same("delete", OpCode.DELETE, 0),
                same("delete failing with NOTEMPTY", OpCode.DELETE, KeeperCode.NOT_EMPTY),
                same("exists", OpCode.EXISTS, 0, new ExistsResponse(STAT)),
                same("exists failing with NONODE", OpCode.EXISTS, KeeperCode.NO_NODE),
                same("getData", OpCode.GET_DATA, 0, new GetDataResponse(DATA, STAT)),
                same("setData", OpCode.SET_DATA, 0, new SetDataResponse(STAT)),
                same("getACL", OpCode.GET_ACL, 0, new GetACLResponse(ACLS, STAT)),
                same("setACL", OpCode.SET_ACL, 0, new SetACLResponse(STAT)),
                same("getChildren (names, not paths)", OpCode.GET_CHILDREN, 0,
                        new GetChildrenResponse(List.of("a", "tenants", "t12"))),
                same("getChildren2", OpCode.GET_CHILDREN2, 0, new GetChildren2Response(List.of("a"), STAT)),
                strip("sync", OpCode.SYNC, new SyncResponse(c + "/a"), new SyncResponse("/a")),
                strip("sync of the root", OpCode.SYNC, new SyncResponse(c), new SyncResponse("/")),
                violation("sync answered for another tenant", OpCode.SYNC, new SyncResponse("/tenants/t12/a")),
                same("ping", OpCode.PING, 0),
                same("check", OpCode.CHECK, 0),
                strip("multi", OpCode.MULTI,
                        multiResponse(new OpResult.CreateResult(c + "/job"),
                                new OpResult.CreateResult(c + "/0000000004"),
                                new OpResult.CreateResult(c + "/job/locks", STAT),
                                new OpResult.CreateResult(c, STAT),
                                new OpResult.DeleteResult(), new OpResult.SetDataResult(STAT),
                                new OpResult.CheckResult()),
                        multiResponse(new OpResult.CreateResult("/job"), new OpResult.CreateResult("/0000000004"),
                                new OpResult.CreateResult("/job/locks", STAT), new OpResult.CreateResult("/", STAT),
                                new OpResult.DeleteResult(), new OpResult.SetDataResult(STAT),
                                new OpResult.CheckResult())),
                strip("multi that failed: error results only", OpCode.MULTI,
                        multiResponse(new OpResult.ErrorResult(0), new OpResult.ErrorResult(KeeperCode.NODE_EXISTS),
                                new OpResult.ErrorResult(-2)),
                        multiResponse(new OpResult.ErrorResult(0), new OpResult.ErrorResult(KeeperCode.NODE_EXISTS),
                                new OpResult.ErrorResult(-2))),
                strip("empty multi", OpCode.MULTI, multiResponse(), multiResponse()),
                violation("multi whose create result is another tenant's", OpCode.MULTI,
                        multiResponse(new OpResult.CreateResult(c + "/ok"),
                                new OpResult.CreateResult("/tenants/t12/x", STAT))),
                same("multiRead (no paths in results)", OpCode.MULTI_READ, 0,
                        multiResponse(new OpResult.GetDataResult(DATA, STAT),
                                new OpResult.GetChildrenResult(List.of("a", "b")),
                                new OpResult.ErrorResult(KeeperCode.NO_NODE))),
                same("checkWatches", OpCode.CHECK_WATCHES, 0),
                same("removeWatches", OpCode.REMOVE_WATCHES, 0),
                same("auth", OpCode.AUTH, 0),
                same("setWatches", OpCode.SET_WATCHES, 0),
                same("sasl", OpCode.SASL, 0, new SetSASLResponse(new byte[] {9, 8})),
                strip("getEphemerals keeps the chroot's own, drops /tenants/t12 and siblings", OpCode.GET_EPHEMERALS,
                        new GetEphemeralsResponse(List.of(c + "/a", "/tenants/t12/b", c, "/tenants/t1x", "/tenants/t12",
                                c + "/d/e")),
                        new GetEphemeralsResponse(List.of("/a", "/", "/d/e"))),
                strip("getEphemerals, none", OpCode.GET_EPHEMERALS, new GetEphemeralsResponse(List.of()),
                        new GetEphemeralsResponse(List.of())),
                same("getAllChildrenNumber", OpCode.GET_ALL_CHILDREN_NUMBER, 0,
                        new GetAllChildrenNumberResponse(12)),
                same("setWatches2", OpCode.SET_WATCHES2, 0),
                same("addWatch", OpCode.ADD_WATCH, 0),
                same("whoAmI", OpCode.WHO_AM_I, 0, new WhoAmIResponse(List.of(new ClientInfo("ip", "127.0.0.1")))),
                same("closeSession", OpCode.CLOSE_SESSION, 0),
                strip("notification NodeDataChanged", OpCode.NOTIFICATION, new WatcherEvent(3, 3, c + "/a"),
                        new WatcherEvent(3, 3, "/a")),
                strip("notification NodeChildrenChanged of the chroot", OpCode.NOTIFICATION,
                        new WatcherEvent(4, 3, c), new WatcherEvent(4, 3, "/")),
                violation("notification for another tenant", OpCode.NOTIFICATION,
                        new WatcherEvent(1, 3, "/tenants/t12/a")),
                violation("notification with a null path", OpCode.NOTIFICATION, new WatcherEvent(-1, 3, null))));
        // An error reply with a body: the client never reads it, the proxy drops it rather than inspect it.
        list.add(new Reply("create failing with a stray body", OpCode.CREATE,
                JuteFrames.reply(xid(OpCode.CREATE), ZXID, KeeperCode.NO_NODE, new CreateResponse("/tenants/t12/x")),
                JuteFrames.reply(xid(OpCode.CREATE), ZXID, KeeperCode.NO_NODE), null, false));
        return list;
    }
}
