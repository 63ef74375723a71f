package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
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
        try (ConnectionDriver driver = new ConnectionDriver(ConnectionDriver.CHROOT, observer)) {
            for (byte[] frame : List.of(ConnectionDriver.CONNECT_REQUEST, GoldenCases.canonical(OpCode.EXISTS).client(),
                    GoldenCases.canonical(OpCode.DELETE).client())) {
                driver.client(frame);
            }
            int toClient = 0;
            for (byte[] frame : List.of(ConnectionDriver.CONNECT_RESPONSE,
                    JuteFrames.reply(GoldenCases.XID, 1, 0, new ExistsResponse(GoldenCases.STAT)),
                    JuteFrames.reply(Xids.NOTIFICATION, -1, 0, new WatcherEvent(2, 3, ConnectionDriver.CHROOT + "/a")),
                    JuteFrames.reply(GoldenCases.XID, 2, KeeperCode.NO_NODE))) {
                toClient += driver.server(frame).toClient().size();
            }
            assertEquals(List.of("EXISTS 0", "event", "DELETE " + KeeperCode.NO_NODE), seen);
            assertEquals(4, toClient);
        }
    }
}
