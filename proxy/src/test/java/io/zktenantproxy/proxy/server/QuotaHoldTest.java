package io.zktenantproxy.proxy.server;

import static io.zktenantproxy.proxy.server.ConnectionHarness.CONNECT_REQUEST;
import static io.zktenantproxy.proxy.server.ConnectionHarness.CONNECT_RESPONSE;
import static io.zktenantproxy.proxy.server.ConnectionHarness.MARKER_REPLY;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.config.Limits.Limit;
import io.zktenantproxy.proxy.quota.ManualUsageSource;
import java.util.List;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.GetDataResponse;
import org.junit.jupiter.api.Test;

/**
 * A write that waits for a fresh count of the tenant's usage holds its connection: nothing behind it goes upstream
 * before it is decided, and replies keep xid order whether it is then forwarded or refused.
 */
class QuotaHoldTest extends HandlerTestBase {
    private final ManualUsageSource source = new ManualUsageSource();
    {
        proxy = new ConnectionHarness(Limits.defaults().with(Limit.QUOTA_ZNODES, 5).with(Limit.QUOTA_BYTES, 0), true,
                new ConnectionHarness.OpenGate(), source);
    }

    private void establish() {
        proxy.fromClient(CONNECT_REQUEST);
        proxy.fromServer(CONNECT_RESPONSE);
        proxy.fromServer(MARKER_REPLY);
        proxy.toClient();
        proxy.toUpstream();
    }

    private static byte[] create(int xid, String path) {
        return JuteFrames.request(xid, OpCode.CREATE.code(), new CreateRequest(path, new byte[0], GoldenCases.ACLS,
                0));
    }

    private static byte[] getData(int xid) {
        return JuteFrames.request(xid, OpCode.GET_DATA.code(), new GetDataRequest("/a", false));
    }

    /** The xid of a request frame: after its length. */
    private static int xid(byte[] frame) {
        return java.nio.ByteBuffer.wrap(frame).getInt(Integer.BYTES);
    }

    private void answerCount(long znodes) {
        source.answer(znodes, 0);
        proxy.runPendingTasks();
    }

    @Test
    void framesBehindAHeldWriteWaitAndThenGoInOrder() {
        establish();
        proxy.fromClient(JuteFrames.concat(create(1, "/a"), getData(2)));
        assertEquals(List.of(), proxy.toUpstream(), "the create waits for a count, the read behind it too");
        answerCount(3);
        List<byte[]> sent = proxy.toUpstream();
        assertEquals(List.of(1, 2), sent.stream().map(f -> xid(f)).toList());
        proxy.fromServer(JuteFrames.concat(JuteFrames.reply(1, 8, KeeperCode.OK,
                new CreateResponse(GoldenCases.CHROOT + "/a")), JuteFrames.reply(2, 8, KeeperCode.OK,
                new GetDataResponse(new byte[0], GoldenCases.STAT))));
        assertEquals(List.of(1, 2), proxy.toClient().stream().map(r -> JuteReader.replyHeader(r).getXid()).toList());
    }

    @Test
    void aHeldWriteRefusedOnTheFreshCountIsAnsweredInOrder() {
        establish();
        proxy.fromClient(JuteFrames.concat(create(1, "/a"), getData(2)));
        answerCount(5);
        List<byte[]> sent = proxy.toUpstream();
        assertEquals(List.of(2), sent.stream().map(f -> xid(f)).toList(),
                "the refused create never goes upstream");
        List<byte[]> refusal = proxy.toClient();
        assertEquals(1, refusal.size());
        assertEquals(KeeperCode.QUOTA_EXCEEDED, JuteReader.replyHeader(refusal.get(0)).getErr());
        proxy.fromServer(JuteFrames.reply(2, 8, KeeperCode.OK, new GetDataResponse(new byte[0], GoldenCases.STAT)));
        assertEquals(1, proxy.toClient().size());
        assertEquals(1, proxy.tenant.meters().quota().refusals(io.zktenantproxy.protocol.QuotaKind.ZNODES));
    }

    @Test
    void largeRefusedWritesLeaveNothingBehind() {
        establish();
        byte[] big = JuteFrames.request(1, OpCode.CREATE.code(), new CreateRequest("/big", new byte[100_000],
                GoldenCases.ACLS, 0));
        proxy.fromClient(big);
        answerCount(5);
        assertEquals(KeeperCode.QUOTA_EXCEEDED, JuteReader.replyHeader(proxy.toClient().get(0)).getErr());
        for (int xid = 2; xid < 5; xid++) { // on a fresh count: refused at once
            proxy.fromClient(JuteFrames.request(xid, OpCode.CREATE.code(), new CreateRequest("/big",
                    new byte[100_000], GoldenCases.ACLS, 0)));
            proxy.runPendingTasks();
            if (source.unanswered() > 0) {
                answerCount(5);
            }
            assertEquals(KeeperCode.QUOTA_EXCEEDED, JuteReader.replyHeader(proxy.toClient().get(0)).getErr());
        }
        assertEquals(List.of(), proxy.toUpstream());
    }
}
