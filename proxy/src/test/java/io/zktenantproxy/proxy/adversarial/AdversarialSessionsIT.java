package io.zktenantproxy.proxy.adversarial;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.util.List;
import org.apache.zookeeper.proto.ConnectResponse;
import org.junit.jupiter.api.Test;

/**
 * Session attacks: resuming the neighbour's session (id and password stolen) through the attacker's port, on this
 * proxy and on a second instance that never saw the session (the ownership marker on the ensemble refuses it there);
 * and a session created directly on the ensemble that owns the neighbour's ephemerals, resumed through the attacker's
 * port, must still not list them ({@code getEphemerals} matches its prefix as a plain string on the server).
 */
class AdversarialSessionsIT extends AdversarialBase {

    @Test
    void theNeighboursSessionCannotBeResumedThroughTheAttackersPort() throws Exception {
        RawClient stolen = raw(proxy, ATTACKER);
        double before = closedCount(proxy, ATTACKER, "session_of_other_tenant");
        // requests pipelined behind the resume would run on the victim's session: closing it would take the
        // victim's ephemerals with it (the base class checks the session and /alive afterwards)
        stolen.send(JuteFrames.concat(JuteFrames.connectRequest(victim.getSessionId(), victim.getSessionPasswd()),
                RawFrame.pathRequest(1, OpCode.GET_EPHEMERALS, bytes("/")),
                JuteFrames.request(2, OpCode.CLOSE_SESSION.code())));
        assertClosed(stolen, proxy, ATTACKER, "session_of_other_tenant", before);
        assertTrue(stolen.received().isEmpty(), "no ConnectResponse for a stolen session");

        // a wrong password changes nothing: the tenant check comes first
        RawClient guessed = raw(proxy, ATTACKER);
        guessed.send(JuteFrames.connectRequest(victim.getSessionId(), new byte[16]));
        assertClosed(guessed, proxy, ATTACKER, "session_of_other_tenant", before + 1);

        // a raw session of the neighbour's, still connected
        RawClient neighbourRaw = raw(proxy, VICTIM);
        ConnectResponse session = neighbourRaw.handshake();
        RawClient resumed = raw(proxy, ATTACKER);
        resumed.send(JuteFrames.connectRequest(session.getSessionId(), session.getPasswd()));
        assertClosed(resumed, proxy, ATTACKER, "session_of_other_tenant", before + 2);
        assertTrue(neighbourRaw.isOpenAfterPing(), "the neighbour's connection was disturbed");
    }

    @Test
    void theMarkerRefusesItThroughAnotherProxyInstance() throws Exception {
        String marker = "/zk-tenant-proxy/sessions/" + Long.toHexString(victim.getSessionId());
        await().atMost(WAIT).until(() -> direct.exists(marker, false) != null);
        assertArrayEquals(bytes(VICTIM), direct.getData(marker, false, null));

        ConnectResponse rawSession;
        try (RawClient neighbourRaw = RawClient.open("t12-raw", proxy.address(VICTIM))) {
            rawSession = neighbourRaw.handshake();
            String rawMarker = "/zk-tenant-proxy/sessions/" + Long.toHexString(rawSession.getSessionId());
            await().atMost(WAIT).until(() -> direct.exists(rawMarker, false) != null);
        } // the socket closes, the session lives on

        try (ProxyServer second = startProxy(Limits.defaults())) {
            RawClient stolen = raw(second, ATTACKER);
            double before = closedCount(second, ATTACKER, "session_of_other_tenant");
            stolen.send(JuteFrames.concat(JuteFrames.connectRequest(victim.getSessionId(), victim.getSessionPasswd()),
                    JuteFrames.request(1, OpCode.CLOSE_SESSION.code())));
            assertClosed(stolen, second, ATTACKER, "session_of_other_tenant", before);

            // the owner may resume it there: the refusal is about the tenant, not the instance
            RawClient owner = raw(second, VICTIM);
            ConnectResponse resumed = owner.handshake(rawSession.getSessionId(), rawSession.getPasswd());
            assertEquals(rawSession.getSessionId(), resumed.getSessionId());
            assertTrue(resumed.getTimeOut() > 0, "the owner's resume was refused");
            assertTrue(owner.isOpenAfterPing());

            RawClient again = raw(second, ATTACKER);
            again.send(JuteFrames.connectRequest(rawSession.getSessionId(), rawSession.getPasswd()));
            assertClosed(again, second, ATTACKER, "session_of_other_tenant", before + 1);
        }
    }

    @Test
    void aDirectSessionOwningTheNeighboursEphemeralsListsNoneOfThem() throws Exception {
        InetSocketAddress ensemble = new InetSocketAddress("127.0.0.1", zk.getPort());
        ConnectResponse session;
        // not tracked: its replies name server paths, as they should on a direct connection
        try (RawClient setup = RawClient.open("direct", ensemble)) {
            session = setup.handshake();
            int xid = 0;
            for (String path : new String[] {VICTIM_ROOT + "/eph-direct", ATTACKER_ROOT + "/eph-own", "/tenants/t1x"}) {
                RawFrame f = RawFrame.request(++xid, OpCode.CREATE.code());
                f.pathRecord(OpCode.CREATE, bytes(path), 1);
                assertEquals(0, setup.call(xid, f.frame()).err(), path);
            }
        }
        rebaseline();

        RawClient attacker = raw(proxy, ATTACKER);
        ConnectResponse resumed = attacker.handshake(session.getSessionId(), session.getPasswd());
        assertEquals(session.getSessionId(), resumed.getSessionId(), "a session with no marker is let through");
        assertEquals(List.of("/eph-own"),
                attacker.call(1, RawFrame.pathRequest(1, OpCode.GET_EPHEMERALS, bytes("/"))).strings());
        assertEquals(List.of("/eph-own"),
                attacker.call(2, RawFrame.pathRequest(2, OpCode.GET_EPHEMERALS, bytes("/eph"))).strings());
        assertEquals("/", attacker.call(3, RawFrame.pathRequest(3, OpCode.SYNC, bytes("/"))).path());
        assertEquals(List.of(), attacker.call(4, RawFrame.pathRequest(4, OpCode.GET_EPHEMERALS, bytes("/x")))
                .strings());
        attacker.close();
        assertUpstreamUnchanged();

        // end the session directly, so its ephemerals do not expire in the middle of a later test
        try (RawClient cleanup = RawClient.open("direct-cleanup", ensemble)) {
            cleanup.handshake(session.getSessionId(), session.getPasswd());
            cleanup.send(JuteFrames.request(1, OpCode.CLOSE_SESSION.code()));
            assertTrue(cleanup.awaitClosed(WAIT));
        }
        await().atMost(WAIT).until(() -> direct.exists(VICTIM_ROOT + "/eph-direct", false) == null);
        rebaseline();
    }
}
