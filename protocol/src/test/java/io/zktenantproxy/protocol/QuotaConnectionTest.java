package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.protocol.testkit.SubOp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.jute.Record;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.DeleteRequest;
import org.apache.zookeeper.proto.ExistsRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.RemoveWatchesRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.apache.zookeeper.proto.WatcherEvent;
import org.junit.jupiter.api.Test;

/**
 * Quotas as one connection applies them: refusals with QUOTAEXCEEDED in xid order and never forwarded, a multi in
 * ZooKeeper's shape, the per-znode name and ACL allowance, the hold while the usage is counted afresh, charges settled
 * by their replies, and the watch ledger (registered by replies, freed by events and removeWatches).
 */
class QuotaConnectionTest {

    /** A quota of {@code limit} znodes over a usage the test sets; records what was reserved and settled. */
    static final class CountingQuota implements ZnodeQuota {
        final long limit;
        long used;
        long reserved;
        final List<Boolean> settled = new ArrayList<>();
        CompletableFuture<Void> waitFor;

        CountingQuota(long limit) {
            this.limit = limit;
        }

        @Override
        public Decision reserve(QuotaCharge charge, boolean mayWait) {
            if (waitFor != null && mayWait) {
                return new Wait(waitFor);
            }
            for (int i = 0; i < charge.ops(); i++) {
                if (used + reserved + charge.znodesUpTo(i) > limit) {
                    return new Refuse(QuotaKind.ZNODES, i);
                }
            }
            reserved += charge.znodes();
            return ADMIT;
        }

        @Override
        public void settle(QuotaCharge charge, Boolean applied) {
            reserved -= charge.znodes();
            settled.add(applied);
            if (applied == null || applied) {
                used += charge.znodes();
            }
        }
    }

    private final List<QuotaKind> exceeded = new ArrayList<>();
    private final TenantConnection.Observer observer = new TenantConnection.Observer() {
        @Override
        public void onQuotaExceeded(QuotaKind kind) {
            exceeded.add(kind);
        }
    };

    private static byte[] create(int xid, String path, byte[] data) {
        return JuteFrames.request(xid, OpCode.CREATE.code(), new CreateRequest(path, data, GoldenCases.ACLS, 0));
    }

    private static byte[] okReply(int xid) {
        return JuteFrames.reply(xid, 10, 0);
    }

    @Test
    void refusalWaitsBehindEarlierRepliesAndIsNeverForwarded() {
        CountingQuota quota = new CountingQuota(1);
        try (ConnectionDriver s = ConnectionDriver.established(new SessionQuotas(quota, 1024, 0), observer)) {
            s.forward(create(1, "/a", new byte[3]));
            s.forward(JuteFrames.request(2, OpCode.GET_DATA.code(), new GetDataRequest("/a", false)));
            ConnectionDriver.Sent refused = s.client(create(3, "/b", new byte[0]));
            assertEquals(new ConnectionDriver.Answered(3, OpCode.CREATE.code(), KeeperCode.QUOTA_EXCEEDED,
                    "znodes quota exceeded"), refused.answered());
            assertEquals(List.of(), s.drainToClient(), "nothing before the earlier replies");
            s.server(JuteFrames.reply(1, 10, 0, new org.apache.zookeeper.proto.CreateResponse(
                    GoldenCases.CHROOT + "/a")));
            List<byte[]> last = s.server(okReply(2)).toClient();
            assertEquals(2, last.size());
            org.apache.zookeeper.proto.ReplyHeader refusal = JuteReader.replyHeader(last.get(1));
            assertEquals(3, refusal.getXid());
            assertEquals(KeeperCode.QUOTA_EXCEEDED, refusal.getErr());
            assertEquals(List.of(true), quota.settled);
            assertEquals(List.of(QuotaKind.ZNODES), exceeded);
        }
    }

    @Test
    void multiIsRefusedAtTheFirstOpOverInZooKeepersShape() {
        CountingQuota quota = new CountingQuota(2);
        try (ConnectionDriver s = ConnectionDriver.established(new SessionQuotas(quota, 1024, 0), observer)) {
            Record[] multi = JuteFrames.multi(List.of(
                    new SubOp(OpCode.CREATE.code(), new CreateRequest("/a", new byte[0], GoldenCases.ACLS, 0)),
                    new SubOp(OpCode.SET_DATA.code(), new SetDataRequest("/a", new byte[4], -1)),
                    new SubOp(OpCode.CREATE.code(), new CreateRequest("/b", new byte[0], GoldenCases.ACLS, 0)),
                    new SubOp(OpCode.CREATE.code(), new CreateRequest("/c", new byte[0], GoldenCases.ACLS, 0)),
                    new SubOp(OpCode.DELETE.code(), new DeleteRequest("/a", -1))));
            RequestOutcome.RefuseMulti refused = assertInstanceOf(RequestOutcome.RefuseMulti.class,
                    s.client(JuteFrames.request(5, OpCode.MULTI.code(), multi)).result());
            assertEquals(3, refused.failedIndex());
            assertEquals(5, refused.count());
            assertEquals(KeeperCode.QUOTA_EXCEEDED, refused.err());
        }
    }

    @Test
    void deletesAndAclsThatFitAreNeverRefusedEvenOverTheQuota() {
        CountingQuota quota = new CountingQuota(1);
        quota.used = 5; // over, as another instance may leave it
        try (ConnectionDriver s = ConnectionDriver.established(new SessionQuotas(quota, 1024, 0), observer)) {
            Record[] multi = JuteFrames.multi(List.of(
                    new SubOp(OpCode.CHECK.code(), new org.apache.zookeeper.proto.CheckVersionRequest("/a", 1)),
                    new SubOp(OpCode.DELETE.code(), new DeleteRequest("/a", -1))));
            s.forward(JuteFrames.request(1, OpCode.MULTI.code(), multi));
            s.forward(JuteFrames.request(2, OpCode.DELETE.code(), new DeleteRequest("/b", -1)));
            s.forward(JuteFrames.request(3, OpCode.SET_ACL.code(),
                    new org.apache.zookeeper.proto.SetACLRequest("/c", GoldenCases.ACLS, -1)));
            assertEquals(0, quota.reserved);
            assertEquals(List.of(), exceeded);
        }
    }

    @Test
    void theProxysOwnKeepAlivePingIsAnsweredToTheProxyOnly() {
        try (ConnectionDriver s = ConnectionDriver.established(SessionQuotas.NONE, observer)) {
            assertEquals(JuteFrames.SESSION_TIMEOUT_MS / 3, s.connection.keepAliveMillis());
            byte[] ping = JuteFrames.request(Xids.PING, OpCode.PING.code());
            s.forward(ping);
            io.netty.buffer.ByteBuf own = s.connection.keepAlive(s.alloc);
            assertEquals(JuteReader.hex(ping), JuteReader.hex(ConnectionDriver.bytes(own)));
            own.release();
            s.forward(ping);
            byte[] pong = JuteFrames.reply(Xids.PING, 0, 0);
            assertEquals(1, s.server(pong).toClient().size(), "the client's first ping");
            assertEquals(0, s.server(pong).toClient().size(), "the proxy's own");
            assertEquals(1, s.server(pong).toClient().size(), "the client's second");
        }
    }

    @Test
    void aFailedMultiSettlesAsNotApplied() {
        CountingQuota quota = new CountingQuota(10);
        try (ConnectionDriver s = ConnectionDriver.established(new SessionQuotas(quota, 1024, 0), observer)) {
            Record[] multi = JuteFrames.multi(List.of(
                    new SubOp(OpCode.CREATE.code(), new CreateRequest("/a", new byte[0], GoldenCases.ACLS, 0))));
            s.forward(JuteFrames.request(5, OpCode.MULTI.code(), multi));
            // header err 0, then ErrorResult(-110) and the end marker
            byte[] failed = JuteFrames.concat(JuteFrames.reply(5, 11, 0));
            byte[] body = new byte[] {
                -1, -1, -1, -1, 0, -1, -1, -1, -110, -1, -1, -1, -110, // MultiHeader{-1,false,-110} ErrorResponse
                -1, -1, -1, -1, 1, -1, -1, -1, -1}; // MultiHeader{-1,true,-1}
            s.server(JuteFrames.frame(JuteFrames.concat(java.util.Arrays.copyOfRange(failed, 4, failed.length),
                    body)));
            assertEquals(List.of(false), quota.settled);
            assertEquals(0, quota.used);
        }
    }

    @Test
    void aNameOrAclOverThePerZnodeAllowanceIsRefused() {
        CountingQuota quota = new CountingQuota(100);
        try (ConnectionDriver s = ConnectionDriver.established(new SessionQuotas(quota, 256, 0), observer)) {
            String path = "/" + "n".repeat(100); // 2 * (12 + 101) + acl > 256
            assertEquals(KeeperCode.QUOTA_EXCEEDED, s.client(create(1, path, new byte[0])).answered().err());
            assertEquals(List.of(QuotaKind.BYTES), exceeded);
            s.forward(create(2, "/short", new byte[0]));
        }
    }

    @Test
    void aHeldWriteIsDecidedOnceTheCountIsIn() {
        CountingQuota quota = new CountingQuota(1);
        quota.waitFor = new CompletableFuture<>();
        try (ConnectionDriver s = ConnectionDriver.established(new SessionQuotas(quota, 1024, 0), observer)) {
            byte[] frame = create(1, "/a", new byte[0]);
            RequestOutcome.Hold hold = assertInstanceOf(RequestOutcome.Hold.class, s.client(frame).result());
            assertEquals(0, s.connection.inFlight(), "a held write is not pending yet");
            quota.waitFor.complete(null);
            assertTrue(hold.until().toCompletableFuture().isDone());
            s.held(frame);
            assertEquals(1, quota.reserved);
            s.server(JuteFrames.reply(1, 10, 0, new org.apache.zookeeper.proto.CreateResponse(
                    GoldenCases.CHROOT + "/a")));
        }
    }

    @Test
    void watchesCountFromTheirReplyAndStopWhenFiredOrRemoved() {
        try (ConnectionDriver s = ConnectionDriver.established(new SessionQuotas(ZnodeQuota.UNLIMITED, 1024, 2),
                observer)) {
            s.forward(JuteFrames.request(1, OpCode.EXISTS.code(), new ExistsRequest("/a", true)));
            s.forward(JuteFrames.request(2, OpCode.GET_DATA.code(), new GetDataRequest("/b", true)));
            assertEquals(KeeperCode.QUOTA_EXCEEDED, s.client(JuteFrames.request(3, OpCode.EXISTS.code(),
                    new ExistsRequest("/c", true))).answered().err(), "places are held while replies are awaited");
            s.server(JuteFrames.reply(1, 10, KeeperCode.NO_NODE)); // an exist watch on a missing node registers
            s.server(JuteFrames.reply(2, 10, KeeperCode.NO_NODE)); // a data watch on a missing node does not
            assertEquals(1, s.connection.watchCount());
            s.forward(JuteFrames.request(4, OpCode.GET_DATA.code(), new GetDataRequest("/a", true)));
            s.server(JuteFrames.reply(4, 10, KeeperCode.NO_NODE));
            assertEquals(1, s.connection.watchCount(), "the same path and table is one entry");
            s.server(JuteFrames.reply(-1, -1, 0, new WatcherEvent(1, 3, GoldenCases.CHROOT + "/a")));
            assertEquals(0, s.connection.watchCount(), "NodeCreated fires the one-shot watch");
            s.forward(JuteFrames.request(5, OpCode.ADD_WATCH.code(),
                    new org.apache.zookeeper.proto.AddWatchRequest("/t", 0)));
            s.server(JuteFrames.reply(5, 10, 0));
            assertEquals(2, s.connection.watchCount(), "a persistent watch holds a data and a child entry");
            assertEquals(KeeperCode.QUOTA_EXCEEDED, s.client(JuteFrames.request(6, OpCode.EXISTS.code(),
                    new ExistsRequest("/c", true))).answered().err());
            s.forward(JuteFrames.request(7, OpCode.REMOVE_WATCHES.code(), new RemoveWatchesRequest("/t", 4)));
            s.server(JuteFrames.reply(7, 10, 0));
            assertEquals(0, s.connection.watchCount());
            assertEquals(List.of(QuotaKind.WATCHES, QuotaKind.WATCHES), exceeded);
        }
    }
}
