package io.zktenantproxy.proxy.adversarial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.protocol.testkit.ServerReply;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.GetAllChildrenNumberResponse;
import org.junit.jupiter.api.Test;

/**
 * Path attacks from tenant {@code t1} on its neighbour {@code t12}, whose chroot {@code /tenants/t12} begins with the
 * attacker's {@code /tenants/t1}: malformed, relative and dot-segment paths in every path-bearing field of every
 * opcode, the chroot znode itself, sequential creates of {@code /}, watches on the neighbour's nodes,
 * getEphemerals/sync/multi replies. The base class checks the ensemble and every reply after each test.
 */
class AdversarialPathsIT extends AdversarialBase {
    /**
     * Paths a hostile client may try; ZooKeeper refuses each ({@code PathUtils.validatePath}), so must the proxy,
     * before prefixing anything: "2/secret" prefixed naively with {@code /tenants/t1} would be the neighbour's node.
     */
    static final List<byte[]> BAD_PATHS = List.of(
            bytes("2/secret"), bytes("../t12"), bytes("../t12/secret"), bytes("/../t12/secret"), bytes("/.."),
            bytes("/."), bytes("/./"), bytes("/./own"), bytes("/own/./x"), bytes("/own/.."), bytes("//"),
            bytes("//own"), bytes("/own//x"), bytes("/own/"), bytes(""), bytes("2"), bytes("/own\u0000x"),
            bytes("/\u0000"), bytes("/own\u0001"), bytes("/own\u007f"), bytes("/own\u0085"), bytes("/own\ufff5"), bytes("/own\ud83d\ude00"), bytes("/zookeeper/../../tenants/t12/secret"),
            bytes("/../../tenants/t12"));

    @Test
    void everyPathBearingFieldRefusesBadPaths() throws Exception {
        RawClient c = attacker();
        int xid = 0;
        List<String> accepted = new ArrayList<>();
        for (byte[] path : BAD_PATHS) {
            String shown = new String(path, StandardCharsets.ISO_8859_1);
            for (OpCode op : RawFrame.SINGLE_PATH_OPS) {
                expectRefused(c, ++xid, RawFrame.pathRequest(xid, op, path), op + " " + shown, accepted);
            }
            byte[] ok = bytes("/ok");
            for (OpCode sub : new OpCode[] {OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_TTL, OpCode.CREATE_CONTAINER,
                OpCode.DELETE, OpCode.SET_DATA, OpCode.CHECK}) {
                expectFailedMulti(c, ++xid, RawFrame.multi(xid, OpCode.MULTI, OpCode.CREATE, ok, sub, path),
                        "multi/" + sub + " " + shown, accepted, KeeperCode.OK, KeeperCode.BAD_ARGUMENTS);
            }
            for (OpCode sub : new OpCode[] {OpCode.GET_DATA, OpCode.GET_CHILDREN}) {
                expectRefused(c, ++xid, RawFrame.multi(xid, OpCode.MULTI_READ, OpCode.GET_DATA, bytes("/own"),
                        sub, path), "multiRead/" + sub + " " + shown, accepted);
            }
            for (int list = 0; list < 3; list++) {
                expectRefused(c, ++xid, RawFrame.setWatches(xid, OpCode.SET_WATCHES, 0, list, ok, path),
                        "setWatches[" + list + "] " + shown, accepted);
            }
            for (int list = 0; list < 5; list++) {
                expectRefused(c, ++xid, RawFrame.setWatches(xid, OpCode.SET_WATCHES2, 0, list, ok, path),
                        "setWatches2[" + list + "] " + shown, accepted);
            }
        }
        assertTrue(accepted.isEmpty(), "not refused with BADARGUMENTS (or not as ZooKeeper fails a multi): "
                + accepted);
        assertNull(direct.exists(ATTACKER_ROOT + "/ok", false), "a refused multi created part of itself");
        assertTrue(c.isOpenAfterPing(), "a refused path must not close the connection");
    }

    @Test
    void nullPathsAreRefused() throws Exception {
        RawClient c = attacker();
        int xid = 0;
        List<String> accepted = new ArrayList<>();
        for (OpCode op : RawFrame.SINGLE_PATH_OPS) {
            expectRefused(c, ++xid, RawFrame.pathRequest(xid, op, null), op + " null", accepted);
        }
        expectFailedMulti(c, ++xid, RawFrame.multi(xid, OpCode.MULTI, OpCode.DELETE, null), "multi null", accepted,
                KeeperCode.BAD_ARGUMENTS);
        expectRefused(c, ++xid, RawFrame.setWatches(xid, OpCode.SET_WATCHES2, 0, 3, (byte[]) null),
                "setWatches2 null", accepted);
        assertTrue(accepted.isEmpty(), "not refused with BADARGUMENTS: " + accepted);
        assertTrue(c.isOpenAfterPing());
    }

    private static void expectRefused(RawClient c, int xid, byte[] request, String what, List<String> accepted)
            throws Exception {
        ServerReply r = c.call(xid, request);
        if (r.err() != KeeperCode.BAD_ARGUMENTS) {
            accepted.add(what + " -> " + r.err());
        }
    }

    /**
     * A multi with a refused sub-op fails as ZooKeeper fails it: header err 0, one ErrorResult per sub-op (OK before
     * the failed one, its code, RUNTIMEINCONSISTENCY after), so the Java client throws the sub-op's exception with
     * the results attached.
     */
    private static void expectFailedMulti(RawClient c, int xid, byte[] request, String what, List<String> accepted,
                                          int... errs) throws Exception {
        ServerReply r = c.call(xid, request);
        List<Integer> results = r.err() == KeeperCode.OK ? r.multiErrors() : List.of();
        List<Integer> expected = Arrays.stream(errs).boxed().toList();
        if (r.err() != KeeperCode.OK || !results.equals(expected)) {
            accepted.add(what + " -> header " + r.err() + ", results " + results);
        }
    }

    /** The same failed multi, sent to ZooKeeper itself and through the proxy, gets the same reply. */
    @Test
    void aFailedMultiIsAnsweredExactlyAsZooKeeperAnswersIt() throws Exception {
        byte[] multi = RawFrame.multi(1, OpCode.MULTI, OpCode.CREATE, bytes("/okA"), OpCode.CREATE, bytes("bad"),
                OpCode.SET_DATA, bytes("/okB"));
        RawClient viaProxy = attacker();
        ServerReply proxied = viaProxy.call(1, multi);
        try (RawClient onEnsemble = RawClient.open("ensemble", new InetSocketAddress("127.0.0.1",
                zk.getPort()))) {
            onEnsemble.handshake();
            ServerReply real = onEnsemble.call(1, multi);
            assertEquals(real.err(), proxied.err(), "header err");
            assertEquals(HexFormat.of().formatHex(real.body()),
                    HexFormat.of().formatHex(proxied.body()), "MultiResponse");
            assertEquals(List.of(KeeperCode.OK, KeeperCode.BAD_ARGUMENTS, KeeperCode.RUNTIME_INCONSISTENCY),
                    real.multiErrors());
            onEnsemble.closeSession();
        }
    }

    @Test
    void theChrootZnodeIsThePlatforms() throws Exception {
        RawClient c = attacker();
        assertEquals(KeeperCode.BAD_ARGUMENTS, c.call(1, RawFrame.pathRequest(1, OpCode.DELETE, bytes("/"))).err());
        ServerReply deleteRootInMulti = c.call(2, RawFrame.multi(2, OpCode.MULTI, OpCode.DELETE, bytes("/")));
        assertEquals(KeeperCode.OK, deleteRootInMulti.err());
        assertEquals(List.of(KeeperCode.BAD_ARGUMENTS), deleteRootInMulti.multiErrors());
        assertEquals(KeeperCode.NO_AUTH, c.call(3, RawFrame.pathRequest(3, OpCode.SET_ACL, bytes("/"))).err());
        assertEquals(KeeperCode.NODE_EXISTS, c.call(4, RawFrame.pathRequest(4, OpCode.CREATE, bytes("/"))).err());
        assertNotNull(direct.exists(ATTACKER_ROOT, false));
        assertEquals(ZooDefs.Ids.OPEN_ACL_UNSAFE, direct.getACL(ATTACKER_ROOT, null));
    }

    @Test
    void sequentialCreatesOfTheRootLandUnderTheChroot() throws Exception {
        RawClient c = attacker();
        List<String> created = new ArrayList<>();
        for (int flags : new int[] {2, 3}) {
            for (OpCode op : new OpCode[] {OpCode.CREATE, OpCode.CREATE2}) {
                RawFrame f = RawFrame.request(created.size() + 1, op.code());
                f.pathRecord(op, bytes("/"), flags);
                ServerReply r = c.call(created.size() + 1, f.frame());
                assertEquals(0, r.err(), op + " flags " + flags);
                created.add(r.path());
            }
        }
        RawFrame m = RawFrame.request(9, OpCode.MULTI.code()).i(OpCode.CREATE.code()).bool(false).i(-1);
        m.pathRecord(OpCode.CREATE, bytes("/"), 2);
        ServerReply multi = c.call(9, m.i(-1).bool(true).i(-1).frame());
        assertEquals(0, multi.err());
        for (String path : created) {
            assertTrue(path.matches("/\\d{10}"), "client path " + path);
            assertNotNull(direct.exists(ATTACKER_ROOT + path, false), ATTACKER_ROOT + path + " missing");
        }
        List<String> siblings = direct.getChildren("/tenants", false);
        assertEquals(List.of(ATTACKER, VICTIM), siblings.stream().sorted().toList(),
                "a sequential create of / landed beside the chroot");
    }

    @Test
    void watchesNeverSeeTheNeighbour() throws Exception {
        RawClient c = attacker();
        long zxid = c.call(1, RawFrame.pathRequest(1, OpCode.EXISTS, bytes("/own"))).zxid();
        int xid = 1;
        // the attacker's own names mirror the victim's: a proxy that forgot the chroot would watch the victim
        for (String p : new String[] {"/", "/secret", "/app", "/app/config", "/alive", "/scratch", "/scratch/x"}) {
            c.call(++xid, RawFrame.pathRequest(xid, OpCode.EXISTS, bytes(p)));
            c.call(++xid, RawFrame.pathRequest(xid, OpCode.GET_CHILDREN, bytes(p)));
            c.call(++xid, RawFrame.pathRequest(xid, OpCode.ADD_WATCH, bytes(p)));
        }
        byte[][] all = {bytes("/"), bytes("/secret"), bytes("/scratch"), bytes("/scratch/x")};
        for (int list = 0; list < 5; list++) {
            assertEquals(0, c.call(++xid, RawFrame.setWatches(xid, OpCode.SET_WATCHES2, zxid, list, all)).err());
        }
        // setWatches2 fires NodeDeleted at once for data and child watches on the attacker's own missing nodes
        assertTrue(c.isOpenAfterPing());
        c.notifications().clear();
        assertUpstreamUnchanged();
        // the victim's tree changes (in a corner its own watches do not cover)
        direct.create(VICTIM_ROOT + "/scratch", bytes(MARK), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        direct.create(VICTIM_ROOT + "/scratch/x", bytes(MARK), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        direct.setData(VICTIM_ROOT + "/scratch/x", bytes(MARK + "2"), -1);
        direct.delete(VICTIM_ROOT + "/scratch/x", -1);
        direct.delete(VICTIM_ROOT + "/scratch", -1);
        rebaseline();
        // ZooKeeper sends a watch event before the reply to the change that fired it; any would be here by now
        assertTrue(c.isOpenAfterPing());
        assertEquals(0, c.call(++xid, RawFrame.pathRequest(xid, OpCode.SYNC, bytes("/"))).err());
        // ("/" itself may see its own children come and go: sessions of earlier tests expiring)
        List<String> mirrored = List.of("/secret", "/app", "/app/config", "/alive", "/scratch", "/scratch/x");
        assertTrue(c.notifications().stream().noneMatch(n -> mirrored.contains(n.eventPath())),
                "the attacker saw the neighbour's changes: "
                        + c.notifications().stream().map(ServerReply::eventPath).toList());
        c.notifications().clear();
        // and its own watches do work
        neighbour.setData("/own", bytes("attacker-own"), -1);
        c.call(++xid, RawFrame.pathRequest(xid, OpCode.SYNC, bytes("/")));
        c.isOpenAfterPing();
        assertFalse(c.notifications().isEmpty(), "the attacker's own recursive watch did not fire");
        assertTrue(c.notifications().stream().anyMatch(n -> n.eventPath().equals("/own")),
                c.notifications().stream().map(ServerReply::eventPath).toList().toString());
    }

    @Test
    void getEphemeralsSyncAndMultiRepliesStayInside() throws Exception {
        RawClient c = attacker();
        RawFrame eph = RawFrame.request(1, OpCode.CREATE.code());
        eph.pathRecord(OpCode.CREATE, bytes("/e1"), 1);
        assertEquals("/e1", c.call(1, eph.frame()).path());
        assertEquals(List.of("/e1"), c.call(2, RawFrame.pathRequest(2, OpCode.GET_EPHEMERALS, bytes("/"))).strings());
        assertEquals(List.of("/e1"), c.call(3, RawFrame.pathRequest(3, OpCode.GET_EPHEMERALS, bytes("/e")))
                .strings());
        assertEquals("/", c.call(4, RawFrame.pathRequest(4, OpCode.SYNC, bytes("/"))).path());
        assertEquals("/own", c.call(5, RawFrame.pathRequest(5, OpCode.SYNC, bytes("/own"))).path());

        ServerReply multi = c.call(6, RawFrame.multi(6, OpCode.MULTI, OpCode.CREATE, bytes("/m1"),
                OpCode.CREATE2, bytes("/m1/c"), OpCode.SET_DATA, bytes("/m1"), OpCode.DELETE, bytes("/m1/c")));
        assertEquals(0, multi.err());
        String text = new String(multi.body(), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("/m1") && text.contains("/m1/c"), "multi results: " + text);
        assertNotNull(direct.exists(ATTACKER_ROOT + "/m1", false));
        ServerReply read = c.call(7, RawFrame.multi(7, OpCode.MULTI_READ, OpCode.GET_DATA, bytes("/own"),
                OpCode.GET_CHILDREN, bytes("/")));
        assertEquals(0, read.err());
    }

    @Test
    void getAllChildrenNumberCountsOnlyTheAttackersTree() throws Exception {
        RawClient c = attacker();
        ServerReply r = c.call(1, RawFrame.pathRequest(1, OpCode.GET_ALL_CHILDREN_NUMBER, bytes("/")));
        assertEquals(0, r.err());
        int counted = r.decode(new GetAllChildrenNumberResponse()).getTotalNumber();
        assertEquals(descendants(ATTACKER_ROOT), counted, "the count includes nodes outside the chroot");
    }

    private static int descendants(String path) throws Exception {
        int n = 0;
        for (String child : direct.getChildren(path, false)) {
            n += 1 + descendants(path + "/" + child);
        }
        return n;
    }

    @Test
    void theEnsembleConfigIsTheProxysOwn() throws Exception {
        RawClient c = attacker();
        ServerReply config = c.call(1, RawFrame.pathRequest(1, OpCode.GET_DATA, bytes("/zookeeper/config")));
        assertEquals(0, config.err());
        String text = new String(config.body(), StandardCharsets.ISO_8859_1);
        assertFalse(text.contains(":" + zk.getPort()), "the ensemble's client port leaked: " + text);
        assertEquals(KeeperCode.NO_NODE,
                c.call(2, RawFrame.pathRequest(2, OpCode.GET_DATA, bytes("/zookeeper/quota"))).err());
        assertEquals(KeeperCode.NO_NODE,
                c.call(3, RawFrame.pathRequest(3, OpCode.GET_CHILDREN, bytes("/zookeeper"))).err());
        assertArrayEquals(bytes("attacker-own"), neighbour.getData("/own", false, null));
    }
}
