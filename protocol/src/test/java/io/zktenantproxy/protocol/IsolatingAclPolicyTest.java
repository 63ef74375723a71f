package io.zktenantproxy.protocol;

import static io.zktenantproxy.protocol.ConnectionDriver.CHROOT;
import static io.zktenantproxy.protocol.testkit.GoldenCases.DATA;
import static io.zktenantproxy.protocol.testkit.GoldenCases.XID;
import static io.zktenantproxy.protocol.testkit.JuteReader.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.SubOp;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.AuthPacket;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.GetACLRequest;
import org.apache.zookeeper.proto.GetACLResponse;
import org.apache.zookeeper.proto.GetSASLRequest;
import org.apache.zookeeper.proto.SetACLRequest;
import org.apache.zookeeper.proto.WhoAmIResponse;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.junit.jupiter.api.Test;

/**
 * {@link AclPolicy#isolating}: golden bytes of what goes upstream and what the tenant is shown, for a tenant with an
 * identity of its own on the ensemble (and, in one case, two: a secret rotation under way).
 */
class IsolatingAclPolicyTest {
    private static final String TENANT_AUTH = "zktp-tenant-acme:derived-password";
    private static final String PREVIOUS_AUTH = "zktp-tenant-acme:previous-password";
    private static final String PLATFORM_AUTH = "zktp-proxy:platform-password";
    private static final int RW = ZooDefs.Perms.READ | ZooDefs.Perms.WRITE;

    private static String digest(String auth) {
        try {
            return DigestAuthenticationProvider.generateDigest(auth);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AclPolicy policy(String... tenantAuth) {
        List<byte[]> auth = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String a : tenantAuth) {
            auth.add(a.getBytes(StandardCharsets.UTF_8));
            ids.add(digest(a));
        }
        return AclPolicy.isolating(new UpstreamIdentity(auth, ids, List.of(digest(PLATFORM_AUTH)),
                bytes -> digest(new String(bytes, StandardCharsets.UTF_8))));
    }

    private static ConnectionDriver driver(AclPolicy policy) {
        return new ConnectionDriver(CHROOT, policy, SessionQuotas.NONE, TenantConnection.Observer.NONE);
    }

    private static ACL acl(int perms, String scheme, String id) {
        return new ACL(perms, new Id(scheme, id));
    }

    private static ACL tenant(int perms) {
        return acl(perms, "digest", digest(TENANT_AUTH));
    }

    private static ACL platform() {
        return acl(ZooDefs.Perms.ALL, "digest", digest(PLATFORM_AUTH));
    }

    private static byte[] authPacket(String auth) {
        return JuteFrames.request(Xids.AUTH, OpCode.AUTH.code(), new AuthPacket(0, "digest",
                auth.getBytes(StandardCharsets.UTF_8)));
    }

    /** A session past its handshake and its tenant identity's auth reply. */
    private static ConnectionDriver established(AclPolicy policy) {
        ConnectionDriver session = driver(policy);
        session.client(ConnectionDriver.CONNECT_REQUEST);
        assertEquals(1, session.server(ConnectionDriver.CONNECT_RESPONSE).toClient().size());
        int identities = policy.identity().tenantAuth().size();
        for (int i = 0; i < identities; i++) {
            assertEquals(List.of(), session.server(JuteFrames.reply(Xids.AUTH, 0, KeeperCode.OK)).toClient(),
                    "the reply to the proxy's own auth is not the client's");
        }
        return session;
    }

    private static byte[] create(String path, List<ACL> acl) {
        return JuteFrames.request(XID, OpCode.CREATE.code(), new CreateRequest(path, DATA, acl, 0));
    }

    private static void assertUpstream(ConnectionDriver session, byte[] request, String path, List<ACL> expected) {
        assertEquals(hex(create(CHROOT + path, expected)), hex(session.forward(request)));
    }

    @Test
    void theTenantIdentityFollowsEveryConnectRequestAndItsReplyIsTheProxys() {
        try (ConnectionDriver session = driver(policy(TENANT_AUTH, PREVIOUS_AUTH))) {
            byte[] upstream = session.client(ConnectionDriver.CONNECT_REQUEST).upstream();
            assertEquals(hex(JuteFrames.concat(ConnectionDriver.CONNECT_REQUEST, authPacket(TENANT_AUTH),
                    authPacket(PREVIOUS_AUTH))), hex(upstream));
            session.server(ConnectionDriver.CONNECT_RESPONSE);
            byte[] own = JuteFrames.request(Xids.AUTH, OpCode.AUTH.code(), new AuthPacket(0, "digest",
                    "alice:pw".getBytes(StandardCharsets.UTF_8)));
            session.forward(own);
            assertEquals(List.of(), session.server(JuteFrames.reply(Xids.AUTH, 0, KeeperCode.OK)).toClient());
            assertEquals(List.of(), session.server(JuteFrames.reply(Xids.AUTH, 0, KeeperCode.OK)).toClient());
            assertEquals(1, session.server(JuteFrames.reply(Xids.AUTH, 0, KeeperCode.OK)).toClient().size(),
                    "the third auth reply answers the client's own auth");
        }
    }

    @Test
    void anEnsembleThatRefusesTheIdentityClosesTheConnection() {
        try (ConnectionDriver session = driver(policy(TENANT_AUTH))) {
            session.client(ConnectionDriver.CONNECT_REQUEST);
            session.server(ConnectionDriver.CONNECT_RESPONSE);
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> session.server(JuteFrames.reply(Xids.AUTH, 0, KeeperCode.AUTH_FAILED)));
            assertEquals(ProtocolException.Kind.UPSTREAM_AUTH, e.kind());
        }
    }

    @Test
    void worldAnyoneBecomesTheTenantIdentityAndThePlatformIsAppended() {
        try (ConnectionDriver session = established(policy(TENANT_AUTH))) {
            assertUpstream(session, create("/a", ZooDefs.Ids.OPEN_ACL_UNSAFE), "/a",
                    List.of(tenant(ZooDefs.Perms.ALL), platform()));
            List<ACL> mixed = List.of(acl(ZooDefs.Perms.READ, "world", "anyone"),
                    acl(RW, "digest", digest("bob:pw")), acl(RW, "sasl", "flink@REALM"));
            assertUpstream(session, create("/b", mixed), "/b", List.of(tenant(ZooDefs.Perms.READ),
                    acl(RW, "digest", digest("bob:pw")), acl(RW, "sasl", "flink@REALM"), platform()));
        }
    }

    @Test
    void duringARotationWorldAnyoneNamesEveryIdentityCurrentFirst() {
        try (ConnectionDriver session = established(policy(TENANT_AUTH, PREVIOUS_AUTH))) {
            assertUpstream(session, create("/a", ZooDefs.Ids.READ_ACL_UNSAFE), "/a", List.of(
                    tenant(ZooDefs.Perms.READ), acl(ZooDefs.Perms.READ, "digest", digest(PREVIOUS_AUTH)),
                    platform()));
        }
    }

    @Test
    void authEntriesNameTheTenantsOwnDigestIdsAndNeedOne() {
        try (ConnectionDriver session = established(policy(TENANT_AUTH))) {
            ConnectionDriver.Answered refused = session.client(create("/a", ZooDefs.Ids.CREATOR_ALL_ACL)).answered();
            assertEquals(KeeperCode.INVALID_ACL, refused.err(), "no credentials of its own, as on the ensemble");
            session.forward(authPacket("alice:pw"));
            session.forward(authPacket("carol:pw"));
            assertUpstream(session, create("/a", ZooDefs.Ids.CREATOR_ALL_ACL), "/a", List.of(
                    acl(ZooDefs.Perms.ALL, "digest", digest("alice:pw")),
                    acl(ZooDefs.Perms.ALL, "digest", digest("carol:pw")), platform()));
        }
    }

    /**
     * A digest auth of the tenant's own that names the tenant's or the platform's user (a guessed password): an
     * {@code auth} entry would then name that user upstream, which a {@code digest} entry may not; refused, also after
     * a non-digest auth (when {@code auth} would otherwise go to the ensemble as sent).
     */
    @Test
    void authEntriesCannotNameTheProxysUsersThroughAGuessedDigest() {
        for (String claim : List.of("zktp-tenant-acme:guess", "zktp-proxy:guess")) {
            for (boolean otherAuth : new boolean[] {false, true}) {
                try (ConnectionDriver session = established(policy(TENANT_AUTH))) {
                    session.forward(authPacket("alice:pw"));
                    session.forward(authPacket(claim));
                    if (otherAuth) {
                        session.forward(JuteFrames.request(Xids.AUTH, OpCode.AUTH.code(), new AuthPacket(0, "ip",
                                new byte[0])));
                    }
                    assertEquals(KeeperCode.INVALID_ACL, session.client(create("/a", ZooDefs.Ids.CREATOR_ALL_ACL))
                            .answered().err(), claim + (otherAuth ? " and ip" : ""));
                }
            }
        }
    }

    @Test
    void afterASaslExchangeAuthEntriesAreTheEnsemblesToExpand() {
        try (ConnectionDriver session = established(policy(TENANT_AUTH))) {
            session.forward(JuteFrames.request(7, OpCode.SASL.code(),
                    new GetSASLRequest(new byte[] {1, 2})));
            assertUpstream(session, create("/a", ZooDefs.Ids.CREATOR_ALL_ACL), "/a",
                    List.of(acl(ZooDefs.Perms.ALL, "auth", ""), platform()));
        }
    }

    @Test
    void addressesCertificatesAndTheProxysOwnUsersAreRefused() {
        List<List<ACL>> refused = List.of(
                List.of(acl(ZooDefs.Perms.READ, "ip", "10.0.0.0/8")),
                List.of(acl(ZooDefs.Perms.ALL, "world", "anyone"), acl(ZooDefs.Perms.READ, "x509", "CN=proxy")),
                List.of(acl(ZooDefs.Perms.ALL, "digest", "zktp-tenant-acme:forged=")),
                List.of(acl(ZooDefs.Perms.ALL, "digest", "zktp-proxy:forged=")));
        try (ConnectionDriver session = established(policy(TENANT_AUTH))) {
            for (List<ACL> acl : refused) {
                assertEquals(KeeperCode.INVALID_ACL, session.client(create("/a", acl)).answered().err(),
                        acl.toString());
                assertEquals(KeeperCode.INVALID_ACL, session.client(JuteFrames.request(XID, OpCode.SET_ACL.code(),
                        new SetACLRequest("/a", acl, -1))).answered().err(), acl.toString());
            }
            List<SubOp> multi = List.of(
                    new SubOp(OpCode.CREATE, new CreateRequest("/ok", DATA, ZooDefs.Ids.OPEN_ACL_UNSAFE, 0)),
                    new SubOp(OpCode.CREATE, new CreateRequest("/bad", DATA, refused.get(0), 0)));
            RequestOutcome.RefuseMulti failed = assertInstanceOf(RequestOutcome.RefuseMulti.class,
                    session.client(GoldenCases.multiFrame(XID, OpCode.MULTI, multi)).result());
            assertEquals(KeeperCode.INVALID_ACL, failed.err());
            assertEquals(1, failed.failedIndex());
        }
    }

    @Test
    void getAclShowsWhatTheTenantSet() {
        Stat stat = new Stat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        List<ACL> stored = List.of(tenant(ZooDefs.Perms.READ), acl(ZooDefs.Perms.READ, "digest",
                digest(PREVIOUS_AUTH)), acl(RW, "digest", "bob:x"), tenant(ZooDefs.Perms.ALL),
                acl(ZooDefs.Perms.ALL, "digest", "zktp-tenant-acme:x"), platform());
        List<ACL> shown = List.of(acl(ZooDefs.Perms.READ, "world", "anyone"), acl(RW, "digest", "bob:x"),
                acl(ZooDefs.Perms.ALL, "world", "anyone"));
        try (ConnectionDriver session = established(policy(TENANT_AUTH, PREVIOUS_AUTH))) {
            session.forward(JuteFrames.request(XID, OpCode.GET_ACL.code(),
                    new GetACLRequest("/a")));
            List<byte[]> toClient = session.server(JuteFrames.reply(XID, 9, KeeperCode.OK,
                    new GetACLResponse(stored, stat))).toClient();
            assertEquals(hex(JuteFrames.reply(XID, 9, KeeperCode.OK, new GetACLResponse(shown, stat))),
                    hex(toClient.get(0)));
        }
    }

    /** Perms are any int on the ensemble: -1 (every bit) too, which must not be taken for "no entry yet". */
    @Test
    void getAclShowsPermsMinusOneAsSet() {
        Stat stat = new Stat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        try (ConnectionDriver session = established(policy(TENANT_AUTH))) {
            session.forward(JuteFrames.request(XID, OpCode.GET_ACL.code(), new GetACLRequest("/a")));
            List<byte[]> toClient = session.server(JuteFrames.reply(XID, 9, KeeperCode.OK,
                    new GetACLResponse(List.of(tenant(-1), platform()), stat))).toClient();
            assertEquals(hex(JuteFrames.reply(XID, 9, KeeperCode.OK, new GetACLResponse(
                    List.of(acl(-1, "world", "anyone")), stat))), hex(toClient.get(0)));
        }
    }

    @Test
    void whoAmIHidesTheTenantAndPlatformIdentities() {
        List<ClientInfo> all = List.of(new ClientInfo("ip", "127.0.0.1"), new ClientInfo("digest", "zktp-tenant-acme"),
                new ClientInfo("digest", "zktp-tenant-acme"), new ClientInfo("digest", "alice"),
                new ClientInfo("digest", "zktp-proxy"));
        List<ClientInfo> shown = List.of(new ClientInfo("ip", "127.0.0.1"), new ClientInfo("digest", "alice"));
        try (ConnectionDriver session = established(policy(TENANT_AUTH, PREVIOUS_AUTH))) {
            session.forward(JuteFrames.request(XID, OpCode.WHO_AM_I.code()));
            byte[] toClient = session.server(JuteFrames.reply(XID, 9, KeeperCode.OK, new WhoAmIResponse(all)))
                    .toClient().get(0);
            assertEquals(hex(JuteFrames.reply(XID, 9, KeeperCode.OK, new WhoAmIResponse(shown))), hex(toClient));
        }
    }

    @Test
    void theSessionMarkerBelongsToThePlatformAlone() {
        try (ConnectionDriver session = established(policy(TENANT_AUTH))) {
            io.netty.buffer.ByteBuf frame = Requests.createEphemeral(session.alloc, Xids.PROXY, "/m", DATA,
                    policy(TENANT_AUTH));
            try {
                assertEquals(hex(JuteFrames.request(Xids.PROXY, OpCode.CREATE.code(),
                        new CreateRequest("/m", DATA, List.of(platform()), 1))), hex(ConnectionDriver.bytes(frame)));
            } finally {
                frame.release();
            }
        }
        assertTrue(policy(TENANT_AUTH).active());
    }
}
