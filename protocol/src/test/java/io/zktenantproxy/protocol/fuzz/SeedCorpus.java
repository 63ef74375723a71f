package io.zktenantproxy.protocol.fuzz;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.protocol.testkit.SubOp;
import java.io.IOException;
import org.apache.zookeeper.ZooDefs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CheckVersionRequest;
import org.apache.zookeeper.proto.CheckWatchesRequest;
import org.apache.zookeeper.proto.Create2Response;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ErrorResponse;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetAllChildrenNumberRequest;
import org.apache.zookeeper.proto.GetChildren2Request;
import org.apache.zookeeper.proto.GetChildren2Response;
import org.apache.zookeeper.proto.GetChildrenRequest;
import org.apache.zookeeper.proto.GetChildrenResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.apache.zookeeper.proto.GetEphemeralsRequest;
import org.apache.zookeeper.proto.GetEphemeralsResponse;
import org.apache.zookeeper.proto.GetSASLRequest;
import org.apache.zookeeper.proto.ReconfigRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.SetDataResponse;
import org.apache.zookeeper.proto.SetWatches2;
import org.apache.zookeeper.proto.SetWatches;
import org.apache.zookeeper.proto.SyncRequest;
import org.apache.zookeeper.proto.SyncResponse;
import org.apache.zookeeper.proto.WatcherEvent;
import org.apache.zookeeper.proto.WhoAmIResponse;

/**
 * The seed corpus of both fuzz tests: valid frames of every opcode (serialized by ZooKeeper's own jute records) and
 * the attacks the adversarial suite also tries, each in a fuzz test's input layout. Generated once into
 * {@code src/test/resources} and committed (run {@link #main} from the {@code protocol} directory to regenerate);
 * {@link SeedCorpusTest} keeps the committed files equal to what this class produces.
 */
final class SeedCorpus {
    static final String CLIENT_DIR = "io/zktenantproxy/protocol/fuzz/ClientFrameFuzzTestInputs/fuzzClientFrames";
    static final String SERVER_DIR = "io/zktenantproxy/protocol/fuzz/ServerFrameFuzzTestInputs/fuzzServerFrames";
    private static final byte[] DATA = RawFrame.utf8("data");
    private static final List<ACL> OPEN = List.of(new ACL(31, new Id("world", "anyone")));
    private static final Stat STAT = new Stat(1, 2, 3, 4, 5, 6, 7, 0, 8, 9, 10);

    private SeedCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path resources = Paths.get(args.length > 0 ? args[0] : "src/test/resources");
        write(resources.resolve(CLIENT_DIR), client());
        write(resources.resolve(SERVER_DIR), server());
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }

    /** A valid request of {@code op}, as a whole frame; ping and auth take their special xids. */
    static byte[] validRequest(int xid, OpCode op) {
        return switch (op) {
            case CREATE, CREATE2 -> JuteFrames.request(xid, op.code(), new CreateRequest("/a", DATA, OPEN, 0));
            case CREATE_CONTAINER -> JuteFrames.request(xid, op.code(), new CreateRequest("/c", DATA, OPEN, 4));
            case CREATE_TTL -> JuteFrames.request(xid, op.code(),
                    new CreateTTLRequest("/t", DATA, OPEN, 5, 60_000));
            case DELETE -> JuteFrames.request(xid, op.code(), new DeleteRequest("/d", -1));
            case EXISTS -> JuteFrames.request(xid, op.code(), new ExistsRequest("/e", true));
            case GET_DATA -> JuteFrames.request(xid, op.code(), new GetDataRequest("/d", true));
            case SET_DATA -> JuteFrames.request(xid, op.code(), new SetDataRequest("/d", DATA, -1));
            case GET_ACL -> JuteFrames.request(xid, op.code(), new GetACLRequest("/d"));
            case SET_ACL -> JuteFrames.request(xid, op.code(), new SetACLRequest("/d", OPEN, -1));
            case GET_CHILDREN -> JuteFrames.request(xid, op.code(), new GetChildrenRequest("/", true));
            case SYNC -> JuteFrames.request(xid, op.code(), new SyncRequest("/"));
            case PING -> JuteFrames.request(Xids.PING, op.code());
            case GET_CHILDREN2 -> JuteFrames.request(xid, op.code(), new GetChildren2Request("/", false));
            case CHECK -> JuteFrames.request(xid, op.code(), new CheckVersionRequest("/d", 1));
            case MULTI -> JuteFrames.request(xid, op.code(), JuteFrames.multi(List.of(
                    new SubOp(OpCode.CREATE, new CreateRequest("/m", DATA, OPEN, 0)),
                    new SubOp(OpCode.CREATE2, new CreateRequest("/m/s-", DATA, OPEN, 2)),
                    new SubOp(OpCode.CREATE_TTL, new CreateTTLRequest("/m/t", DATA, OPEN, 5, 1000)),
                    new SubOp(OpCode.CREATE_CONTAINER, new CreateRequest("/m/c", DATA, OPEN, 4)),
                    new SubOp(OpCode.SET_DATA, new SetDataRequest("/m", DATA, -1)),
                    new SubOp(OpCode.CHECK, new CheckVersionRequest("/m", 1)),
                    new SubOp(OpCode.DELETE, new DeleteRequest("/m/c", -1)))));
            case RECONFIG -> JuteFrames.request(xid, op.code(), new ReconfigRequest("", "", "", -1));
            case CHECK_WATCHES -> JuteFrames.request(xid, op.code(), new CheckWatchesRequest("/d", 1));
            case REMOVE_WATCHES -> JuteFrames.request(xid, op.code(), new RemoveWatchesRequest("/d", 1));
            case DELETE_CONTAINER -> JuteFrames.request(xid, op.code(), new DeleteRequest("/c", -1));
            case MULTI_READ -> JuteFrames.request(xid, op.code(), JuteFrames.multi(List.of(
                    new SubOp(OpCode.GET_DATA, new GetDataRequest("/d", false)),
                    new SubOp(OpCode.GET_CHILDREN, new GetChildrenRequest("/", false)))));
            case AUTH -> JuteFrames.request(Xids.AUTH, op.code(),
                    new AuthPacket(0, "digest", RawFrame.utf8("alice:pw")));
            case SET_WATCHES -> JuteFrames.request(xid, op.code(),
                    new SetWatches(5, List.of("/a"), List.of("/b", "/zookeeper/config"), List.of("/")));
            case SASL -> JuteFrames.request(xid, op.code(), new GetSASLRequest(RawFrame.utf8("token")));
            case GET_EPHEMERALS -> JuteFrames.request(xid, op.code(), new GetEphemeralsRequest("/"));
            case GET_ALL_CHILDREN_NUMBER -> JuteFrames.request(xid, op.code(), new GetAllChildrenNumberRequest("/"));
            case SET_WATCHES2 -> JuteFrames.request(xid, op.code(), new SetWatches2(5, List.of("/a"),
                    List.of("/zookeeper/config"), List.of("/c"), List.of("/p"), List.of("/")));
            case ADD_WATCH -> JuteFrames.request(xid, op.code(), new AddWatchRequest("/", 1));
            case NOTIFICATION, ERROR, WHO_AM_I, CREATE_SESSION, CLOSE_SESSION -> JuteFrames.request(xid, op.code());
        };
    }

    /** A successful reply to the request {@link #validRequest} makes for {@code op}, paths under {@code root}. */
    static byte[] validReply(int xid, OpCode op, String root) {
        return switch (op) {
            case CREATE -> JuteFrames.reply(xid, 9, 0, new CreateResponse(root + "/a"));
            case CREATE2, CREATE_TTL, CREATE_CONTAINER -> JuteFrames.reply(xid, 9, 0,
                    new Create2Response(root + "/a", STAT));
            case SYNC -> JuteFrames.reply(xid, 9, 0, new SyncResponse(root));
            case MULTI -> JuteFrames.reply(xid, 9, 0, JuteFrames.multi(List.of(
                    new SubOp(OpCode.CREATE, new CreateResponse(root + "/m")),
                    new SubOp(OpCode.CREATE2, new Create2Response(root + "/m/s-0000000000", STAT)),
                    new SubOp(OpCode.SET_DATA, new SetDataResponse(STAT)),
                    new SubOp(OpCode.CHECK, new ErrorResponse(0)),
                    new SubOp(OpCode.ERROR, new ErrorResponse(KeeperCode.NO_NODE)))));
            case GET_EPHEMERALS -> JuteFrames.reply(xid, 9, 0, new GetEphemeralsResponse(List.of(root + "/e",
                    root, root + "2/e", "/zk-tenant-proxy/sessions/1234", root + "/x/y")));
            case GET_DATA -> JuteFrames.reply(xid, 9, 0, new GetDataResponse(DATA, STAT));
            case GET_CHILDREN2 -> JuteFrames.reply(xid, 9, 0,
                    new GetChildren2Response(List.of("a", "b"), STAT));
            case EXISTS -> JuteFrames.reply(xid, 9, 0, new ExistsResponse(STAT));
            case SET_DATA -> JuteFrames.reply(xid, 9, 0, new SetDataResponse(STAT));
            case MULTI_READ -> JuteFrames.reply(xid, 9, 0, JuteFrames.multi(List.of(
                    new SubOp(OpCode.GET_DATA, new GetDataResponse(DATA, STAT)),
                    new SubOp(OpCode.GET_CHILDREN, new GetChildrenResponse(List.of("a"))))));
            case WHO_AM_I -> JuteFrames.reply(xid, 9, 0,
                    new WhoAmIResponse(List.of(new ClientInfo("ip", "127.0.0.1"))));
            default -> JuteFrames.reply(xid, 9, 0);
        };
    }

    static Map<String, byte[]> client() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        int xid = 1;
        List<byte[]> all = new ArrayList<>();
        for (OpCode op : OpCode.values()) {
            byte[] frame = validRequest(xid++, op);
            all.add(frame);
            seeds.put("op-" + op.name().toLowerCase(), client(0, frame));
        }
        seeds.put("all-ops-pipelined", client(0, JuteFrames.concat(all.toArray(new byte[0][]))));
        seeds.put("all-ops-operator-acl", client(1, JuteFrames.concat(all.toArray(new byte[0][]))));
        // flag 32: a quota of 3 znodes, 2 watches and 256 bytes per znode, so writes and watches past it are refused
        byte[] twice = JuteFrames.concat(JuteFrames.concat(all.toArray(new byte[0][])),
                JuteFrames.concat(all.toArray(new byte[0][])));
        seeds.put("all-ops-twice-quotas", client(32, twice));
        seeds.put("all-ops-twice-quotas-operator-acl", client(32 | 1, twice));
        // flag 64: a tenant identity upstream (its auth packet follows the ConnectRequest; ACL lists rewritten)
        seeds.put("all-ops-tenant-identity", client(64, JuteFrames.concat(all.toArray(new byte[0][]))));
        seeds.put("all-ops-twice-quotas-tenant-identity", client(64 | 32, twice));
        seeds.put("acl-vectors-tenant-identity", client(64, JuteFrames.concat(
                JuteFrames.request(xid, OpCode.CREATE.code(), new CreateRequest("/a",
                        new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL, 0)),
                JuteFrames.request(Xids.AUTH, OpCode.AUTH.code(), new AuthPacket(0, "digest",
                        "alice:pw".getBytes(StandardCharsets.UTF_8))),
                JuteFrames.request(xid + 1, OpCode.CREATE.code(), new CreateRequest("/b",
                        new byte[0], ZooDefs.Ids.CREATOR_ALL_ACL, 0)),
                JuteFrames.request(xid + 2, OpCode.SET_ACL.code(), new SetACLRequest("/b",
                        List.of(new ACL(1, new Id("ip",
                                "0.0.0.0/0"))), -1)),
                JuteFrames.request(xid + 3, OpCode.CREATE.code(), new CreateRequest("/c",
                        new byte[0], List.of(new ACL(31, new Id(
                                "digest", "zktp-tenant-t1:forged="))), 0)))));
        seeds.put("all-ops-server-first-byte-by-byte", client(2 | 8, JuteFrames.concat(all.toArray(new byte[0][]))));
        seeds.put("handshake-by-client", client(4, JuteFrames.concat(JuteFrames.connectRequest(),
                validRequest(1, OpCode.GET_DATA))));
        seeds.put("handshake-resume", client(4, JuteFrames.connectRequest(0x0123456789abcdefL, new byte[16])));
        seeds.put("four-letter-word", client(4, RawFrame.utf8("ruok")));
        seeds.put("four-letter-word-after-handshake", client(0, RawFrame.utf8("cons")));

        String[] badPaths = {"../t12", "2/secret", "2", "22", "2x/y", "/../t12", "/./x", "/..", "/.", "//x", "/x/", "", "/a\u0000b",
            "/\u0001", "/\ud800", "/\uffff", "/\ud83d\ude00", "/zookeeper/../tenants/t12"};
        int n = 0;
        for (String bad : badPaths) {
            seeds.put("bad-path-" + n++, client(0, JuteFrames.concat(
                    JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest(bad, true)),
                    JuteFrames.request(2, OpCode.CREATE.code(), new CreateRequest(bad, DATA, OPEN, 0)),
                    JuteFrames.request(3, OpCode.MULTI.code(), JuteFrames.multi(List.of(
                            new SubOp(OpCode.CREATE, new CreateRequest("/ok", DATA, OPEN, 0)),
                            new SubOp(OpCode.DELETE, new DeleteRequest(bad, -1))))),
                    JuteFrames.request(4, OpCode.SET_WATCHES2.code(), new SetWatches2(0, List.of("/ok"),
                            List.of(), List.of(bad), List.of(), List.of())),
                    JuteFrames.request(5, OpCode.GET_EPHEMERALS.code(), new GetEphemeralsRequest(bad)))));
        }
        seeds.put("invalid-utf8-path", client(0, JuteFrames.frame(JuteFrames.concat(
                RawFrame.body().i(1, OpCode.GET_DATA.code(), 3).bytes(), new byte[] {'/', (byte) 0xc0, (byte) 0xaf},
                new byte[] {0}))));
        seeds.put("root-attacks", client(0, JuteFrames.concat(
                JuteFrames.request(1, OpCode.DELETE.code(), new DeleteRequest("/", -1)),
                JuteFrames.request(2, OpCode.SET_ACL.code(), new SetACLRequest("/", OPEN, -1)),
                JuteFrames.request(3, OpCode.CREATE.code(), new CreateRequest("/", DATA, OPEN, 2)),
                JuteFrames.request(4, OpCode.CREATE2.code(), new CreateRequest("/", DATA, OPEN, 3)),
                JuteFrames.request(5, OpCode.GET_DATA.code(), new GetDataRequest("/zookeeper/config", true)),
                JuteFrames.request(6, OpCode.MULTI.code(), JuteFrames.multi(List.of(
                        new SubOp(OpCode.DELETE, new DeleteRequest("/", -1))))))));
        seeds.put("refused-ops", client(0, JuteFrames.concat(
                validRequest(1, OpCode.GET_DATA), JuteFrames.request(2, OpCode.RECONFIG.code()),
                JuteFrames.request(3, OpCode.CREATE_SESSION.code()),
                JuteFrames.request(4, OpCode.DELETE_CONTAINER.code()),
                JuteFrames.request(5, 99), JuteFrames.request(6, -50), // opcodes ZooKeeper lacks
                JuteFrames.request(7, OpCode.NOTIFICATION.code()), JuteFrames.request(8, OpCode.ERROR.code()),
                validRequest(9, OpCode.EXISTS))));
        seeds.put("reserved-xid-1", client(0, validRequest(Xids.NOTIFICATION, OpCode.GET_DATA)));
        seeds.put("reserved-xid-3", client(0, validRequest(Xids.PROXY, OpCode.GET_DATA)));
        seeds.put("ping-xid-misused", client(0, validRequest(Xids.PING, OpCode.EXISTS)));
        seeds.put("auth-xid-misused", client(0, validRequest(Xids.AUTH, OpCode.GET_CHILDREN)));
        seeds.put("negative-length", client(0, RawFrame.body().i(-1, 1, OpCode.GET_DATA.code()).bytes()));
        seeds.put("huge-length", client(0, RawFrame.body().i(0x7fffffff, 1, OpCode.GET_DATA.code()).bytes()));
        seeds.put("truncated", client(0, Arrays.copyOf(validRequest(1, OpCode.CREATE), 20)));
        seeds.put("length-past-frame", client(0, RawFrame.body().i(1, OpCode.GET_DATA.code(), 1000).frame()));
        seeds.put("huge-vector", client(0,
                RawFrame.body().i(1, OpCode.SET_WATCHES.code()).raw(new byte[8]).i(0x10000000).frame()));
        seeds.put("trailing-bytes", client(0, JuteFrames.frame(JuteFrames.concat(
                Arrays.copyOfRange(validRequest(1, OpCode.EXISTS), 4, validRequest(1, OpCode.EXISTS).length),
                new byte[] {1, 2, 3}))));
        byte[] badBool = validRequest(1, OpCode.EXISTS);
        badBool[badBool.length - 1] = 2;
        seeds.put("bad-boolean", client(0, badBool));
        return seeds;
    }

    static Map<String, byte[]> server() {
        String root = ClientFrameFuzzTest.ROOT;
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        OpCode[] pending = ServerFrameFuzzTest.PENDING;
        for (int k = 0; k < pending.length; k++) {
            OpCode op = pending[k];
            String name = op.name().toLowerCase();
            seeds.put("reply-" + name, server(0, new int[] {k}, validReply(1, op, root)));
            seeds.put("reply-" + name + "-neighbour", server(0, new int[] {k}, validReply(1, op, root + "2")));
            seeds.put("reply-" + name + "-error-with-body", server(0, new int[] {k},
                    RawFrame.withIntAt(validReply(1, op, root + "2"), 16, KeeperCode.NO_NODE)));
        }
        int[] seven = {0, 1, 4, 5, 6, 7, 8};
        List<byte[]> replies = new ArrayList<>();
        for (int i = 0; i < seven.length; i++) {
            replies.add(validReply(i + 1, pending[seven[i]], root));
            replies.add(JuteFrames.reply(Xids.PING, 0, 0));
        }
        seeds.put("seven-in-order-byte-by-byte", server(2, seven, JuteFrames.concat(replies.toArray(new byte[0][]))));
        seeds.put("out-of-order", server(0, new int[] {0, 1}, JuteFrames.concat(validReply(2, OpCode.CREATE2, root),
                validReply(1, OpCode.CREATE, root))));
        seeds.put("proxy-owned", server(1, new int[] {7}, JuteFrames.concat(validReply(1, OpCode.GET_DATA, root),
                JuteFrames.reply(Xids.PROXY, 10, 0, new CreateResponse("/zk-tenant-proxy/sessions/1234")))));
        seeds.put("notifications", server(0, new int[0], JuteFrames.concat(
                JuteFrames.reply(Xids.NOTIFICATION, -1, 0, new WatcherEvent(3, 3, root + "/x")),
                JuteFrames.reply(Xids.NOTIFICATION, -1, 0, new WatcherEvent(4, 3, root)),
                JuteFrames.reply(Xids.NOTIFICATION, -1, 0, new WatcherEvent(3, 3, root + "2/secret")))));
        seeds.put("auth-reply", server(0, new int[0], JuteFrames.reply(Xids.AUTH, 0, KeeperCode.AUTH_FAILED)));
        return seeds;
    }

    private static byte[] client(int flags, byte[] stream) {
        return JuteFrames.concat(new byte[] {(byte) flags}, stream);
    }

    private static byte[] server(int flags, int[] ops, byte[] stream) {
        byte[] head = new byte[2 + ops.length];
        head[0] = (byte) flags;
        head[1] = (byte) ops.length;
        for (int i = 0; i < ops.length; i++) {
            head[2 + i] = (byte) ops[i];
        }
        return JuteFrames.concat(head, stream);
    }
}
