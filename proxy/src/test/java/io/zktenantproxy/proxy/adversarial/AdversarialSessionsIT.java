package io.zktenantproxy.proxy.adversarial;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.util.List;
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
        stolen.send(RawFrames.concat(RawFrames.connect(victim.getSessionId(), victim.getSessionPasswd(), 30_000),
                RawFrames.pathRequest(1, OpCode.GET_EPHEMERALS, bytes("/")), RawFrames.request(2, -11).frame()));
        assertClosed(stolen, proxy, ATTACKER, "session_of_other_tenant", before);
        assertTrue(stolen.received().isEmpty(), "no ConnectResponse for a stolen session");

        // a wrong password changes nothing: the tenant check comes first
        RawClient guessed = raw(proxy, ATTACKER);
        guessed.send(RawFrames.connect(victim.getSessionId(), new byte[16], 30_000));
        assertClosed(guessed, proxy, ATTACKER, "session_of_other_tenant", before + 1);

        // a raw session of the neighbour's, still connected
        RawClient neighbourRaw = raw(proxy, VICTIM);
        RawClient.Session session = neighbourRaw.handshake();
        RawClient resumed = raw(proxy, ATTACKER);
        resumed.send(RawFrames.connect(session.sessionId(), session.passwd(), 30_000));
        assertClosed(resumed, proxy, ATTACKER, "session_of_other_tenant", before + 2);
        assertTrue(neighbourRaw.isOpenAfterPing(), "the neighbour's connection was disturbed");
    }

    @Test
    void theMarkerRefusesItThroughAnotherProxyInstance() throws Exception {
        String marker = "/zk-tenant-proxy/sessions/" + Long.toHexString(victim.getSessionId());
        await().atMost(WAIT).until(() -> direct.exists(marker, false) != null);
        assertArrayEquals(bytes(VICTIM), direct.getData(marker, false, null));

        RawClient.Session rawSession;
        try (RawClient neighbourRaw = RawClient.open("t12-raw", proxy.address(VICTIM))) {
            rawSession = neighbourRaw.handshake();
            String rawMarker = "/zk-tenant-proxy/sessions/" + Long.toHexString(rawSession.sessionId());
            await().atMost(WAIT).until(() -> direct.exists(rawMarker, false) != null);
        } // the socket closes, the session lives on

        try (ProxyServer second = startProxy(Limits.defaults())) {
            RawClient stolen = raw(second, ATTACKER);
            double before = closedCount(second, ATTACKER, "session_of_other_tenant");
            stolen.send(RawFrames.concat(RawFrames.connect(victim.getSessionId(), victim.getSessionPasswd(), 30_000),
                    RawFrames.request(1, -11).frame()));
            assertClosed(stolen, second, ATTACKER, "session_of_other_tenant", before);

            // the owner may resume it there: the refusal is about the tenant, not the instance
            RawClient owner = raw(second, VICTIM);
            RawClient.Session resumed = owner.handshake(rawSession.sessionId(), rawSession.passwd());
            assertEquals(rawSession.sessionId(), resumed.sessionId());
            assertTrue(resumed.timeoutMs() > 0, "the owner's resume was refused");
            assertTrue(owner.isOpenAfterPing());

            RawClient again = raw(second, ATTACKER);
            again.send(RawFrames.connect(rawSession.sessionId(), rawSession.passwd(), 30_000));
            assertClosed(again, second, ATTACKER, "session_of_other_tenant", before + 1);
        }
    }

    @Test
    void aDirectSessionOwningTheNeighboursEphemeralsListsNoneOfThem() throws Exception {
        InetSocketAddress ensemble = new InetSocketAddress("127.0.0.1", zk.getPort());
        RawClient.Session session;
        // not tracked: its replies name server paths, as they should on a direct connection
        try (RawClient setup = RawClient.open("direct", ensemble)) {
            session = setup.handshake();
            int xid = 0;
            for (String path : new String[] {VICTIM_ROOT + "/eph-direct", ATTACKER_ROOT + "/eph-own", "/tenants/t1x"}) {
                RawFrames f = RawFrames.request(++xid, OpCode.CREATE.code());
                RawFrames.writePathRecord(f, OpCode.CREATE, bytes(path), 1);
                assertEquals(0, setup.call(xid, f.frame()).err(), path);
            }
        }
        rebaseline();

        RawClient attacker = raw(proxy, ATTACKER);
        RawClient.Session resumed = attacker.handshake(session.sessionId(), session.passwd());
        assertEquals(session.sessionId(), resumed.sessionId(), "a session with no marker is let through");
        assertEquals(List.of("/eph-own"),
                attacker.call(1, RawFrames.pathRequest(1, OpCode.GET_EPHEMERALS, bytes("/"))).strings());
        assertEquals(List.of("/eph-own"),
                attacker.call(2, RawFrames.pathRequest(2, OpCode.GET_EPHEMERALS, bytes("/eph"))).strings());
        assertEquals("/", attacker.call(3, RawFrames.pathRequest(3, OpCode.SYNC, bytes("/"))).path());
        assertEquals(List.of(), attacker.call(4, RawFrames.pathRequest(4, OpCode.GET_EPHEMERALS, bytes("/x")))
                .strings());
        attacker.close();
        assertUpstreamUnchanged();

        // end the session directly, so its ephemerals do not expire in the middle of a later test
        try (RawClient cleanup = RawClient.open("direct-cleanup", ensemble)) {
            cleanup.handshake(session.sessionId(), session.passwd());
            cleanup.send(RawFrames.request(1, -11).frame());
            assertTrue(cleanup.awaitClosed(WAIT));
        }
        await().atMost(WAIT).until(() -> direct.exists(VICTIM_ROOT + "/eph-direct", false) == null);
        rebaseline();
    }
}
