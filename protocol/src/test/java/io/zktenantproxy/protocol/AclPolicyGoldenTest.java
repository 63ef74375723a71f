package io.zktenantproxy.protocol;

import static io.zktenantproxy.protocol.ConnectionDriver.CHROOT;
import static io.zktenantproxy.protocol.testkit.GoldenCases.ACLS;
import static io.zktenantproxy.protocol.testkit.GoldenCases.DATA;
import static io.zktenantproxy.protocol.testkit.GoldenCases.XID;
import static io.zktenantproxy.protocol.testkit.JuteReader.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import io.zktenantproxy.protocol.testkit.SubOp;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.jute.Record;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateTTLRequest;
import org.apache.zookeeper.proto.RequestHeader;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.junit.jupiter.api.Test;

/**
 * Golden bytes of the ACL policy: with an operator identity, every non-empty ACL list a tenant sends (create
 * shapes, setACL, and inside multi) must reach the ensemble as jute writes the same list with
 * {@code ACL{ALL, operator}} appended, unless the list already grants the operator everything.
 */
class AclPolicyGoldenTest {
    private static final ACL OPERATOR = new ACL(AclPolicy.PERMS_ALL, new Id("digest", "zktp-ops:abc="));
    private static final AclPolicy POLICY = AclPolicy.appendOperator("digest", "zktp-ops:abc=");

    private static List<ACL> plusOperator(List<ACL> acls) {
        List<ACL> out = new ArrayList<>(acls);
        out.add(OPERATOR);
        return out;
    }

    /** Runs one client request through a connection with {@link #POLICY}; returns what went upstream. */
    private static byte[] upstream(byte[] request) {
        TrackingAllocator alloc = new TrackingAllocator();
        List<ByteBuf> toClient = new ArrayList<>();
        TenantConnection connection = new TenantConnection(new TenantChroot(CHROOT), POLICY,
                ConnectionDriver.ENSEMBLE_CONFIG, toClient::add, TenantConnection.Observer.NONE);
        ByteBuf connect = alloc.wrap(ConnectionDriver.CONNECT_REQUEST);
        ((RequestOutcome.Connect) connection.onClientFrame(connect, alloc)).toUpstream().release();
        connect.release();
        ByteBuf in = alloc.wrap(request);
        try {
            RequestOutcome result = connection.onClientFrame(in, alloc);
            if (!(result instanceof RequestOutcome.Forward forward)) {
                return null;
            }
            try {
                return ConnectionDriver.bytes(forward.toUpstream());
            } finally {
                forward.toUpstream().release();
            }
        } finally {
            in.release();
            connection.release();
            toClient.forEach(ByteBuf::release);
            alloc.assertAllReleased();
        }
    }

    private static void assertRewritten(OpCode op, Record client, Record expected) {
        byte[] out = upstream(JuteFrames.request(XID, op.code(), client));
        assertEquals(hex(JuteFrames.request(XID, op.code(), expected)), hex(out));
        assertEquals(expected, JuteReader.readRequest(out, new RequestHeader(), expected.getClass()));
    }

    @Test
    void createGetsTheOperatorAppended() {
        assertRewritten(OpCode.CREATE, new CreateRequest("/a", DATA, ACLS, 0),
                new CreateRequest(CHROOT + "/a", DATA, plusOperator(ACLS), 0));
        assertRewritten(OpCode.CREATE2, new CreateRequest("/", DATA, ACLS, 3),
                new CreateRequest(CHROOT + "/", DATA, plusOperator(ACLS), 3));
        assertRewritten(OpCode.CREATE_CONTAINER, new CreateRequest("/c", null, ACLS, 4),
                new CreateRequest(CHROOT + "/c", null, plusOperator(ACLS), 4));
        assertRewritten(OpCode.CREATE_TTL, new CreateTTLRequest("/t", DATA, ACLS, 5, 99),
                new CreateTTLRequest(CHROOT + "/t", DATA, plusOperator(ACLS), 5, 99));
    }

    @Test
    void bigPayloadIsStillSplicedAroundTheNewAcl() {
        byte[] payload = new byte[8192];
        Arrays.fill(payload, (byte) 7);
        assertRewritten(OpCode.CREATE, new CreateRequest("/big", payload, ACLS, 0),
                new CreateRequest(CHROOT + "/big", payload, plusOperator(ACLS), 0));
    }

    @Test
    void setAclGetsTheOperatorAppendedButNotOnTheChroot() {
        assertRewritten(OpCode.SET_ACL, new SetACLRequest("/a", ACLS, 4),
                new SetACLRequest(CHROOT + "/a", plusOperator(ACLS), 4));
        byte[] onRoot = JuteFrames.request(XID, OpCode.SET_ACL.code(), new SetACLRequest("/", ACLS, -1));
        assertEquals(null, upstream(onRoot));
        // without a policy too: the chroot's ACL is the platform's
        try (ConnectionDriver session = ConnectionDriver.established()) {
            assertEquals(KeeperCode.NO_AUTH, session.client(onRoot).answered().err());
        }
    }

    @Test
    void listThatAlreadyGrantsTheOperatorEverythingIsLeftAlone() {
        List<ACL> granted = List.of(new ACL(AclPolicy.PERMS_ALL, new Id("world", "anyone")), OPERATOR);
        assertRewritten(OpCode.CREATE, new CreateRequest("/a", DATA, granted, 0),
                new CreateRequest(CHROOT + "/a", DATA, granted, 0));
        List<ACL> readOnly = List.of(new ACL(1, new Id("digest", "zktp-ops:abc=")));
        assertRewritten(OpCode.CREATE, new CreateRequest("/a", DATA, readOnly, 0),
                new CreateRequest(CHROOT + "/a", DATA, plusOperator(readOnly), 0));
        List<ACL> otherId = List.of(new ACL(31, new Id("digest", "zktp-ops:abd=")));
        assertRewritten(OpCode.CREATE, new CreateRequest("/a", DATA, otherId, 0),
                new CreateRequest(CHROOT + "/a", DATA, plusOperator(otherId), 0));
    }

    @Test
    void emptyListIsLeftEmptyForTheEnsembleToRefuse() {
        assertRewritten(OpCode.CREATE, new CreateRequest("/a", DATA, List.of(), 0),
                new CreateRequest(CHROOT + "/a", DATA, List.of(), 0));
    }

    @Test
    void multiCreatesGetTheOperatorAndOtherOpsAreUntouched() {
        List<SubOp> client = List.of(
                new SubOp(OpCode.CREATE, new CreateRequest("/j", DATA, ACLS, 0)),
                new SubOp(OpCode.CREATE_TTL, new CreateTTLRequest("/t", DATA, ACLS, 5, 1)),
                new SubOp(OpCode.SET_DATA, new SetDataRequest("/j", DATA, 1)));
        List<SubOp> server = List.of(
                new SubOp(OpCode.CREATE, new CreateRequest(CHROOT + "/j", DATA, plusOperator(ACLS), 0)),
                new SubOp(OpCode.CREATE_TTL, new CreateTTLRequest(CHROOT + "/t", DATA,
                        plusOperator(ACLS), 5, 1)),
                new SubOp(OpCode.SET_DATA, new SetDataRequest(CHROOT + "/j", DATA, 1)));
        assertEquals(hex(GoldenCases.multiFrame(XID, OpCode.MULTI, server)),
                hex(upstream(GoldenCases.multiFrame(XID, OpCode.MULTI, client))));
    }

    @Test
    void policyNoneIsInactive() {
        assertFalse(AclPolicy.NONE.active());
        assertTrue(POLICY.active());
    }

    @Test
    void malformedAclStringIsAProtocolError() {
        byte[] request = JuteFrames.request(XID, OpCode.CREATE.code(), new CreateRequest("/a", DATA,
                List.of(new ACL(31, new Id("world", "any"))), 0));
        // "any" is the last string before the flags: make its first byte a lone continuation byte
        request[request.length - Integer.BYTES - 3] = (byte) 0x80;
        ProtocolException e = assertThrows(ProtocolException.class, () -> upstream(request));
        assertEquals(ProtocolException.Kind.MALFORMED_FIELD, e.kind());
    }

    /** The ownership marker the proxy creates on a session: jute's CreateRequest, byte for byte. */
    @Test
    void createEphemeralIsWhatJuteWrites() {
        TrackingAllocator alloc = new TrackingAllocator();
        ByteBuf frame = Requests.createEphemeral(alloc, Xids.PROXY, "/zktp/sessions/0x1234", DATA, AclPolicy.NONE);
        try {
            assertEquals(hex(JuteFrames.request(Xids.PROXY, OpCode.CREATE.code(), new CreateRequest(
                            "/zktp/sessions/0x1234", DATA, List.of(new ACL(31, new Id("world", "anyone"))), 1))),
                    hex(ConnectionDriver.bytes(frame)));
        } finally {
            frame.release();
        }
        alloc.assertAllReleased();
    }
}
