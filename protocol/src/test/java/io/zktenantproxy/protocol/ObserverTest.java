package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.proto.ExistsResponse;
import org.apache.zookeeper.proto.WatcherEvent;
import org.junit.jupiter.api.Test;

/** The metrics hook sees every upstream reply with its request's opcode and error, and every watch event. */
class ObserverTest {

    @Test
    void repliesAndNotificationsAreReported() {
        List<String> seen = new ArrayList<>();
        TenantConnection.Observer observer = new TenantConnection.Observer() {
            @Override
            public void onReply(OpCode op, int err, long latencyNanos) {
                seen.add(op + " " + err + (latencyNanos >= 0 ? "" : " negative latency"));
            }

            @Override
            public void onNotification() {
                seen.add("event");
            }
        };
        TrackingAllocator alloc = new TrackingAllocator();
        List<ByteBuf> toClient = new ArrayList<>();
        TenantConnection connection = new TenantConnection(new TenantChroot(ConnectionDriver.CHROOT), ConnectionDriver.ENSEMBLE_CONFIG,
                toClient::add, observer);
        for (byte[] frame : List.of(ConnectionDriver.CONNECT_REQUEST, GoldenCases.canonical(OpCode.EXISTS).client(),
                GoldenCases.canonical(OpCode.DELETE).client())) {
            ByteBuf in = alloc.wrap(frame);
            RequestOutcome result = connection.onClientFrame(in, alloc);
            in.release();
            if (result instanceof RequestOutcome.Forward f) {
                f.toUpstream().release();
            } else if (result instanceof RequestOutcome.Connect c) {
                c.toUpstream().release();
            }
        }
        for (byte[] frame : List.of(ConnectionDriver.CONNECT_RESPONSE,
                JuteFrames.reply(GoldenCases.XID, 1, 0, new ExistsResponse(GoldenCases.STAT)),
                JuteFrames.reply(Xids.NOTIFICATION, -1, 0, new WatcherEvent(2, 3, ConnectionDriver.CHROOT + "/a")),
                JuteFrames.reply(GoldenCases.XID, 2, KeeperCode.NO_NODE))) {
            ByteBuf in = alloc.wrap(frame);
            connection.onServerFrame(in, alloc);
            in.release();
        }
        assertEquals(List.of("EXISTS 0", "event", "DELETE " + KeeperCode.NO_NODE), seen);
        assertEquals(4, toClient.size());
        toClient.forEach(ByteBuf::release);
        connection.release();
        alloc.assertAllReleased();
    }
}
