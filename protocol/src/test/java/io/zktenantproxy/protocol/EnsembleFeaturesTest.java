package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.proto.AddWatchRequest;
import org.apache.zookeeper.proto.GetDataRequest;
import org.junit.jupiter.api.Test;

/**
 * Opcodes an older ensemble does not implement are answered by the proxy with {@code UNIMPLEMENTED}, in xid order,
 * and the session goes on; an ensemble whose release is not known gets everything, as before.
 */
class EnsembleFeaturesTest {
    private static final EnsembleVersion V35 = EnsembleVersion.parse("3.5.10");
    private static final EnsembleVersion V36 = EnsembleVersion.parse("3.6.4");

    @Test
    void releasesAndTheOpcodesTheyImplement() {
        assertFalse(V35.implementsOp(OpCode.ADD_WATCH));
        assertFalse(V35.implementsOp(OpCode.MULTI_READ));
        assertFalse(V35.implementsOp(OpCode.GET_EPHEMERALS));
        assertFalse(V35.implementsOp(OpCode.GET_ALL_CHILDREN_NUMBER));
        assertFalse(V35.implementsOp(OpCode.SET_WATCHES2));
        assertTrue(V35.implementsOp(OpCode.CREATE2));
        assertTrue(V35.implementsOp(OpCode.CREATE_TTL));
        assertTrue(V36.implementsOp(OpCode.ADD_WATCH));
        assertFalse(V36.implementsOp(OpCode.WHO_AM_I));
        assertTrue(EnsembleVersion.parse("3.7").implementsOp(OpCode.WHO_AM_I));
        assertEquals(Optional.of(new EnsembleVersion(3, 5, 10)), EnsembleVersion.fromSrvr(
                "Zookeeper version: 3.5.10-c1fc3ce4f0a1d51d6e4dd6e7c4b7c5d9a27d5d9e, built on 05/25/2022 12:41 GMT\n"
                        + "Latency min/avg/max: 0/0.0/0\n"));
        assertEquals(Optional.empty(), EnsembleVersion.fromSrvr("srvr is not executed because it is not in the "
                + "whitelist.\n"));
        assertThrows(IllegalArgumentException.class, () -> EnsembleVersion.parse("latest"));
        assertTrue(EnsembleVersion.parse("3.10.0").compareTo(EnsembleVersion.parse("3.9.5")) > 0);
    }

    @Test
    void anOpcodeTheEnsembleLacksIsAnsweredUnimplementedInXidOrderAndTheSessionGoesOn() {
        try (ConnectionDriver s = ConnectionDriver.established(EnsembleFeatures.of(V35))) {
            s.forward(JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest("/a", false)));
            assertEquals(KeeperCode.UNIMPLEMENTED, s.client(JuteFrames.request(2, OpCode.ADD_WATCH.code(),
                    new AddWatchRequest("/a", 1))).answered().err());
            assertTrue(s.drainToClient().isEmpty(), "the -6 waits for xid 1's reply");
            List<Integer> xids = s.server(JuteFrames.reply(1, 5, 0)).toClient().stream()
                    .map(f -> JuteReader.replyHeader(f).getXid()).toList();
            assertEquals(List.of(1, 2), xids);
            s.forward(JuteFrames.request(3, OpCode.GET_DATA.code(), new GetDataRequest("/a", false)));
        }
    }

    @Test
    void anEnsembleOfUnknownReleaseGetsEverything() {
        EnsembleFeatures features = EnsembleFeatures.unknown();
        try (ConnectionDriver s = ConnectionDriver.established(features)) {
            s.forward(JuteFrames.request(1, OpCode.WHO_AM_I.code()));
            features.learnt(V36);
            assertEquals(KeeperCode.UNIMPLEMENTED, s.client(JuteFrames.request(2, OpCode.WHO_AM_I.code()))
                    .answered().err(), "learnt while the connection runs");
        }
    }
}
