package io.zktenantproxy.proxy.adversarial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.protocol.testkit.ServerReply;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import io.zktenantproxy.proxy.it.TestSecret;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.GetACLResponse;
import org.junit.jupiter.api.Test;

/**
 * Raw-frame attacks on tenant identities (SECURITY.md, "Tenant identities on the ensemble"): the proxy runs with an
 * upstream secret, so every upstream session of {@code t1} carries the digest identity {@code zktp-tenant-t1} and every
 * ACL list is rewritten ({@code SessionAcls}). What the Java client cannot send, or sends only one way, is sent here:
 * auth packets pipelined behind the ConnectRequest (before the proxy's own auth replies are back), ACL lists in every
 * ACL-bearing opcode and multi sub-op, pipelined so that reply order is checked, perms outside {@code ALL}, lists that
 * grow past {@code jute.maxbuffer} once rewritten. Each test checks the bytes the client gets and what the ensemble
 * holds, read directly as the platform ({@link #direct}); the base class checks that nothing outside the attacker's
 * chroot changed and that both tenants are still served.
 *
 * <p>{@code TenantIdentityIT} covers with the Java client what is not repeated here: a direct client's {@code NOAUTH}
 * everywhere, getACL/whoAmI rewriting, the tenant dropping itself from an ACL, an ip/x509/platform entry in one create.
 */
@AdversarialBase.WithUpstreamSecret
class AdversarialIdentityIT extends AdversarialBase {
    private static final int CONTAINER = 4;
    private static final int PERSISTENT_WITH_TTL = 5;

    /** One {@code ACL{perms, Id{scheme, id}}} as sent on the wire. */
    private record Ace(int perms, String scheme, String id) {
        static Ace anyone(int perms) {
            return new Ace(perms, "world", "anyone");
        }

        @Override
        public String toString() {
            return scheme + ":" + id + " " + perms;
        }
    }

    private static RawFrame acl(RawFrame f, List<Ace> acl) {
        f.i(acl.size());
        for (Ace a : acl) {
            f.i(a.perms()).str(a.scheme()).str(a.id());
        }
        return f;
    }

    /** The record of a create of {@code op} (create, create2, createContainer, createTTL) with {@code acl}. */
    private static RawFrame createRecord(RawFrame f, OpCode op, String path, List<Ace> acl) {
        acl(f.str(path).buf(bytes("d")), acl);
        return switch (op) {
            case CREATE, CREATE2 -> f.i(0);
            case CREATE_CONTAINER -> f.i(CONTAINER);
            case CREATE_TTL -> f.i(PERSISTENT_WITH_TTL).l(60_000);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    private static byte[] create(int xid, OpCode op, String path, List<Ace> acl) {
        return createRecord(RawFrame.request(xid, op.code()), op, path, acl).frame();
    }

    private static byte[] setAcl(int xid, String path, List<Ace> acl, int version) {
        return acl(RawFrame.request(xid, OpCode.SET_ACL.code()).str(path), acl).i(version).frame();
    }

    /** {@code multi} of an open create of {@code okPath}, then {@code sub} with {@code acl}. */
    private static byte[] multi(int xid, String okPath, OpCode sub, String path, List<Ace> acl) {
        RawFrame f = RawFrame.request(xid, OpCode.MULTI.code());
        createRecord(f.i(OpCode.CREATE.code()).bool(false).i(-1), OpCode.CREATE, okPath, List.of(Ace.anyone(31)));
        createRecord(f.i(sub.code()).bool(false).i(-1), sub, path, acl);
        return f.i(-1).bool(true).i(-1).frame();
    }

    private static byte[] auth(String scheme, String auth) {
        return RawFrame.request(Xids.AUTH, OpCode.AUTH.code()).i(0).str(scheme).buf(bytes(auth)).frame();
    }

    private static String platformId() {
        return TestSecret.identities(secret).platform().get(0).id();
    }

    private static String tenantId(String tenant) {
        return TestSecret.identities(secret).tenant(tenant).get(0).id();
    }

    private static ACL stored(int perms, String digestId) {
        return new ACL(perms, new Id("digest", digestId));
    }

    private static List<String> attackerChildren() throws Exception {
        return direct.getChildren(ATTACKER_ROOT, false).stream().sorted().toList();
    }

    /**
     * Lists the proxy must refuse with {@code INVALIDACL} wherever a list goes: {@code ip:} and {@code x509:} (the
     * ensemble sees the proxy's address and certificate, so they would name every tenant, and an {@code ip:} range
     * would open the znode to direct clients), {@code world:} ids other than {@code anyone}, digest entries naming the
     * tenant's or the platform's user (with or without a hash, even the platform's real id), and mixed lists where the
     * refused entry comes first or last (a proxy that checks only the first entry, or stops at the first valid one,
     * fails these). Schemes in another case ({@code IP}, {@code World}) are no scheme the ensemble knows: it refuses
     * them itself, and the proxy must pass them on rather than take them for something else.
     */
    private static List<List<Ace>> refusedLists() {
        return List.of(
                List.of(new Ace(31, "ip", "0.0.0.0/0")),
                List.of(new Ace(1, "ip", "127.0.0.1")),
                List.of(new Ace(1, "x509", "CN=zk-tenant-proxy")),
                List.of(new Ace(31, "world", "everyone")),
                List.of(new Ace(31, "world", "ANYONE")),
                List.of(new Ace(31, "World", "anyone")),
                List.of(new Ace(31, "IP", "0.0.0.0/0")),
                List.of(new Ace(31, "digest", Identities.tenantUser(ATTACKER) + ":x")),
                List.of(new Ace(31, "digest", Identities.tenantUser(ATTACKER))),
                List.of(new Ace(31, "digest", tenantId(ATTACKER))),
                List.of(new Ace(0, "digest", platformId())),
                List.of(new Ace(31, "digest", Identities.PLATFORM_USER + ":x")),
                List.of(Ace.anyone(31), new Ace(1, "ip", "10.0.0.0/8")),
                List.of(new Ace(1, "x509", "CN=a"), Ace.anyone(31)));
    }

    /**
     * Every refused list in create, create2, createContainer, createTTL and setACL, and as the second sub-op of a multi
     * behind a valid create: all pipelined in one write, each answered {@code INVALIDACL} in request order, each multi
     * as ZooKeeper fails one (header 0, {@code [OK, INVALIDACL]}); upstream nothing is created and the setACL target
     * keeps its ACL and ACL version.
     */
    @Test
    void addressCertificateOtherWorldAndProxyIdsAreRefusedInEveryList() throws Exception {
        RawClient c = attacker();
        assertEquals("/target", c.call(1, create(1, OpCode.CREATE, "/target", List.of(Ace.anyone(31)))).path());
        Stat before = direct.exists(ATTACKER_ROOT + "/target", false);
        List<ACL> aclBefore = direct.getACL(ATTACKER_ROOT + "/target", null);
        List<String> childrenBefore = attackerChildren();

        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        int xid = 1;
        for (List<Ace> list : refusedLists()) {
            for (OpCode op : new OpCode[] {OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER,
                OpCode.CREATE_TTL}) {
                all.writeBytes(create(++xid, op, "/refused", list));
                expected.add(xid + " " + op + " " + list);
                all.writeBytes(multi(++xid, "/ok", op, "/refused", list));
                expected.add(xid + " multi/" + op + " " + list);
            }
            all.writeBytes(setAcl(++xid, "/target", list, -1));
            expected.add(xid + " setACL " + list);
        }
        c.send(all.toByteArray());
        List<String> accepted = new ArrayList<>();
        for (String what : expected) {
            int at = Integer.parseInt(what.substring(0, what.indexOf(' ')));
            ServerReply r = c.replyTo(at); // fails on a reply out of order
            boolean refused = what.contains("multi/")
                    ? r.err() == KeeperCode.OK && r.multiErrors().equals(List.of(KeeperCode.OK, KeeperCode.INVALID_ACL))
                    : r.err() == KeeperCode.INVALID_ACL;
            if (!refused) {
                accepted.add(what + " -> " + r.err() + (r.err() == 0 && what.contains("multi/") ? " "
                        + r.multiErrors() : ""));
            }
        }
        assertTrue(accepted.isEmpty(), "not refused as INVALIDACL: " + accepted);
        assertEquals(childrenBefore, attackerChildren(), "created upstream");
        assertEquals(aclBefore, direct.getACL(ATTACKER_ROOT + "/target", null));
        assertEquals(before.getAversion(), direct.exists(ATTACKER_ROOT + "/target", false).getAversion());
        assertTrue(c.isOpenAfterPing(), "a refused list must not close the connection");
    }

    /**
     * A multi the proxy fails for an {@code ip:} entry gets, byte for byte, the reply ZooKeeper itself gives a multi
     * that fails on an ACL it refuses ({@code world:everyone}) in the same place: a client cannot tell the proxy's
     * refusal from the ensemble's.
     */
    @Test
    void aMultiRefusedForAnAddressEntryIsAnsweredAsZooKeeperAnswersAnInvalidAcl() throws Exception {
        RawClient viaProxy = attacker();
        ServerReply proxied = viaProxy.call(1, multi(1, "/okA", OpCode.CREATE2, "/b",
                List.of(new Ace(31, "ip", "0.0.0.0/0"))));
        try (RawClient onEnsemble = RawClient.open("ensemble", new InetSocketAddress("127.0.0.1", zk.getPort()))) {
            onEnsemble.handshake();
            ServerReply real = onEnsemble.call(1, multi(1, "/okA", OpCode.CREATE2, "/b",
                    List.of(new Ace(31, "world", "everyone"))));
            assertEquals(List.of(KeeperCode.OK, KeeperCode.INVALID_ACL), real.multiErrors());
            assertEquals(real.err(), proxied.err(), "header err");
            assertEquals(HexFormat.of().formatHex(real.body()), HexFormat.of().formatHex(proxied.body()),
                    "MultiResponse");
            onEnsemble.closeSession();
        }
        assertNull(direct.exists(ATTACKER_ROOT + "/okA", false));
    }

    /**
     * setACL lists that leave out the tenant identity, the platform, or both, and lists naming the platform's real id
     * or the tenant's user: upstream the platform keeps ALL after every accepted list (and so can give the tenant its
     * znode back), a refused list changes nothing (ACL and ACL version), and with {@code world:anyone} in its list the
     * tenant reads and writes. Perms 0 on {@code world:anyone} locks the tenant out of its own znode, not the platform.
     */
    @Test
    void setAclNeverTakesThePlatformAwayNorNamesTheProxysIds() throws Exception {
        RawClient c = attacker();
        String upstream = ATTACKER_ROOT + "/n";
        assertEquals("/n", c.call(1, create(1, OpCode.CREATE, "/n", List.of(Ace.anyone(31)))).path());
        String bob = DigestCredential.digestId(bytes("bob:pw"));
        ACL platform = stored(ZooDefs.Perms.ALL, platformId());
        // an ArrayList: the ZooKeeper client asks the list contains(null), which List.of refuses
        List<ACL> tenantAll = new ArrayList<>(List.of(stored(ZooDefs.Perms.ALL, tenantId(ATTACKER)), platform));
        assertEquals(tenantAll, direct.getACL(upstream, null));

        assertEquals(0, c.call(2, setAcl(2, "/n", List.of(new Ace(31, "digest", bob)), -1)).err());
        assertEquals(List.of(stored(31, bob), platform), direct.getACL(upstream, null));
        assertEquals(KeeperCode.NO_AUTH, c.call(3, RawFrame.pathRequest(3, OpCode.GET_DATA, bytes("/n"))).err());
        assertEquals(KeeperCode.NO_AUTH, c.call(4, setAcl(4, "/n", List.of(Ace.anyone(31)), -1)).err(),
                "it gave ADMIN to bob");
        direct.setACL(upstream, tenantAll, -1); // the platform gives it back

        assertEquals(0, c.call(5, setAcl(5, "/n", List.of(Ace.anyone(0)), -1)).err());
        assertEquals(List.of(stored(0, tenantId(ATTACKER)), platform), direct.getACL(upstream, null));
        assertEquals(KeeperCode.NO_AUTH, c.call(6, RawFrame.pathRequest(6, OpCode.GET_DATA, bytes("/n"))).err());
        direct.setData(upstream, bytes("platform"), -1);
        direct.setACL(upstream, tenantAll, -1);

        Stat stat = direct.exists(upstream, false);
        for (List<Ace> list : List.of(List.<Ace>of(), List.of(new Ace(0, "digest", platformId())),
                List.of(Ace.anyone(31), new Ace(31, "digest", Identities.tenantUser(ATTACKER) + ":x")))) {
            assertEquals(KeeperCode.INVALID_ACL, c.call(7, setAcl(7, "/n", list, -1)).err(), list.toString());
            assertEquals(tenantAll, direct.getACL(upstream, null));
            assertEquals(stat.getAversion(), direct.exists(upstream, false).getAversion());
        }

        int rwa = ZooDefs.Perms.READ | ZooDefs.Perms.WRITE | ZooDefs.Perms.ADMIN;
        assertEquals(0, c.call(8, setAcl(8, "/n", List.of(Ace.anyone(rwa)), -1)).err());
        assertEquals(List.of(stored(rwa, tenantId(ATTACKER)), platform), direct.getACL(upstream, null));
        assertEquals(0, c.call(9, RawFrame.pathRequest(9, OpCode.SET_DATA, bytes("/n"))).err());
        assertEquals(0, c.call(10, RawFrame.pathRequest(10, OpCode.GET_DATA, bytes("/n"))).err());
        GetACLResponse seen = c.call(11, RawFrame.pathRequest(11, OpCode.GET_ACL, bytes("/n")))
                .decode(new GetACLResponse());
        assertEquals(List.of(new ACL(rwa, ZooDefs.Ids.ANYONE_ID_UNSAFE)), seen.getAcl(), "what the tenant set");
        assertEquals(5, seen.getStat().getAversion(), "three setACLs of the tenant, two of the platform");
    }

    /**
     * Perms outside {@code ALL} (0, 32, -1, {@code Integer.MIN_VALUE}) on {@code world:anyone}: the proxy answers what
     * the ensemble answers the same list sent directly (the oracle: a raw session on the ensemble as the platform),
     * stores them on the tenant identity with the platform's ALL beside, and shows the tenant its perms unchanged.
     */
    @Test
    void permsOutsideAllAreKeptAsTheEnsembleKeepsThem() throws Exception {
        RawClient c = attacker();
        try (RawClient oracle = RawClient.open("ensemble", new InetSocketAddress("127.0.0.1", zk.getPort()))) {
            oracle.handshake();
            oracle.send(auth("digest", new String(TestSecret.identities(secret).platform().get(0).authData(),
                    StandardCharsets.UTF_8)));
            assertEquals(0, oracle.replyTo(Xids.AUTH).err());
            int xid = 0;
            for (int perms : new int[] {0, 32, -1, Integer.MIN_VALUE}) {
                xid++;
                String name = "/perms" + xid;
                int viaProxy = c.call(xid, create(xid, OpCode.CREATE, name, List.of(Ace.anyone(perms)))).err();
                int onEnsemble = oracle.call(xid, create(xid, OpCode.CREATE, ATTACKER_ROOT + name + "-oracle",
                        List.of(Ace.anyone(perms)))).err();
                assertEquals(onEnsemble, viaProxy, "perms " + perms);
                if (viaProxy == 0) {
                    assertEquals(List.of(stored(perms, tenantId(ATTACKER)), stored(31, platformId())),
                            direct.getACL(ATTACKER_ROOT + name, null));
                    ServerReply seen = c.call(100 + xid, RawFrame.pathRequest(100 + xid, OpCode.GET_ACL,
                            bytes(name)));
                    if ((perms & (ZooDefs.Perms.READ | ZooDefs.Perms.ADMIN)) == 0) {
                        // getACL needs READ or ADMIN: the tenant identity has neither
                        assertEquals(KeeperCode.NO_AUTH, seen.err(), "getACL, perms " + perms);
                    } else {
                        assertEquals(List.of(new ACL(perms, ZooDefs.Ids.ANYONE_ID_UNSAFE)),
                                seen.decode(new GetACLResponse()).getAcl(), "what the tenant set");
                    }
                    direct.delete(ATTACKER_ROOT + name, -1); // the platform, whatever the perms
                }
            }
            oracle.closeSession();
        }
    }

    /**
     * A list of 40,000 {@code world:anyone} entries is a 0.9 MB request, below {@code jute.maxbuffer}; rewritten to
     * tenant digest ids it is 2.4 MB. With the default quotas the proxy refuses it before it goes upstream
     * ({@code QUOTA_EXCEEDED}: a path and ACL list over the per-znode byte allowance, counted on the rewritten list)
     * and the connection stays open; nothing is created upstream and the tenant's other connection is served.
     */
    @Test
    void aListThatOutgrowsTheEnsemblesBufferOnceRewrittenHurtsNoOneElse() throws Exception {
        RawClient other = attacker();
        RawClient c = attacker();
        byte[] request = create(1, OpCode.CREATE, "/huge", hugeList());
        assertTrue(request.length < 1024 * 1024 - 1024, "request " + request.length + " bytes");
        assertEquals(KeeperCode.QUOTA_EXCEEDED, c.call(1, request).err());
        assertTrue(c.isOpenAfterPing());
        assertNull(direct.exists(ATTACKER_ROOT + "/huge", false), "created upstream");
        assertEquals(0, other.call(1, RawFrame.pathRequest(1, OpCode.EXISTS, bytes("/own"))).err());
    }

    /**
     * The same list for a tenant without quotas: the proxy forwards the rewritten 2.4 MB request, which the ensemble
     * does not accept (over {@code jute.maxbuffer}): it closes the proxy's connection, and the proxy the client's
     * ({@code upstream_closed}); the session lives on. Sent directly, the ensemble would have accepted the 0.9 MB
     * list; the proxy's rewrite made it too big. Either way the client never gets OK, nothing is created upstream, and
     * the tenant's other connection is served.
     */
    @Test
    void withoutQuotasAListThatOutgrowsTheEnsemblesBufferIsStillNotCreated() throws Exception {
        ProxyConfig config = ProxyConfig.forUpstream(zk.getConnectString()).withTenants(TenantConfig.named(ATTACKER)
                .withChroot(ATTACKER_ROOT).withListen("127.0.0.1:0").withQuotas(0L, 0L, 0))
                .withSecretFile(secret.toString());
        try (ProxyServer unlimited = ProxyServer.start(config)) {
            RawClient other = raw(unlimited, ATTACKER);
            other.handshake();
            RawClient c = raw(unlimited, ATTACKER);
            c.handshake();
            c.send(create(1, OpCode.CREATE, "/huge", hugeList()));
            double closedBefore = closedCount(unlimited, ATTACKER, "upstream_closed");
            Integer err = null;
            try {
                err = c.replyTo(1).err();
            } catch (IOException e) {
                // closed before any reply: what happens today, the ensemble drops the proxy's connection
            }
            assertTrue(err == null ? c.awaitClosed(WAIT) : err != KeeperCode.OK, "answered " + err);
            if (err == null) {
                assertClosed(c, unlimited, ATTACKER, "upstream_closed", closedBefore);
            }
            assertNull(direct.exists(ATTACKER_ROOT + "/huge", false), "created upstream");
            assertEquals(0, other.call(1, RawFrame.pathRequest(1, OpCode.EXISTS, bytes("/own"))).err());
            other.closeSession();
        }
    }

    private static List<Ace> hugeList() {
        List<Ace> huge = new ArrayList<>();
        for (int i = 0; i < 40_000; i++) {
            huge.add(Ace.anyone(ZooDefs.Perms.READ));
        }
        return huge;
    }

    /**
     * An auth packet claiming the victim tenant's user ({@code zktp-tenant-t12}) with a guessed password, pipelined in
     * the same write as the ConnectRequest (so it reaches the proxy before the ensemble has answered the proxy's own
     * auth packets) and followed by a request: ZooKeeper refuses no digest, so the client gets exactly one auth reply
     * ({@code err 0}, the proxy's own stay hidden) and then its request's; the connection stays open. The claim is
     * just another id: an {@code auth} ACL entry names it, never the victim's identity, and a direct client with the
     * same claim gets {@code NOAUTH} on the victim's znodes.
     */
    @Test
    void aDigestClaimingTheVictimsUserIsJustAnotherId() throws Exception {
        String claim = Identities.tenantUser(VICTIM) + ":a-guess";
        RawClient c = raw(proxy, ATTACKER);
        c.send(JuteFrames.concat(JuteFrames.connectRequest(), auth("digest", claim),
                RawFrame.pathRequest(1, OpCode.EXISTS, bytes("/own"))));
        assertTrue(c.readConnectResponse().getTimeOut() > 0);
        ServerReply authReply = c.readReply();
        assertEquals(Xids.AUTH, authReply.xid(), "the client's auth reply first (the proxy's own are not shown)");
        assertEquals(KeeperCode.OK, authReply.err(), "ZooKeeper refuses no digest: a wrong password is another id");
        assertEquals(0, c.replyTo(1).err(), "and no second auth reply before the request's");

        assertEquals("/claimed", c.call(2, create(2, OpCode.CREATE, "/claimed", List.of(new Ace(31, "auth", ""))))
                .path());
        List<ACL> acl = direct.getACL(ATTACKER_ROOT + "/claimed", null);
        assertEquals(List.of(stored(31, DigestCredential.digestId(bytes(claim))), stored(31, platformId())), acl);
        assertFalse(acl.contains(stored(31, tenantId(VICTIM))));
        try (RawClient outsider = RawClient.open("direct", new InetSocketAddress("127.0.0.1", zk.getPort()))) {
            outsider.handshake();
            assertEquals(0, outsider.call(Xids.AUTH, auth("digest", claim)).err());
            assertEquals(KeeperCode.NO_AUTH, outsider.call(1, RawFrame.pathRequest(1, OpCode.GET_DATA,
                    bytes(VICTIM_ROOT + "/secret"))).err());
            assertEquals(KeeperCode.NO_AUTH, outsider.call(2, RawFrame.pathRequest(2, OpCode.GET_CHILDREN,
                    bytes("/tenants"))).err());
            outsider.closeSession();
        }
        assertTrue(c.isOpenAfterPing());
    }

    /**
     * A digest auth naming a user only the proxy may name (the tenant's own {@code zktp-tenant-t1}, or the platform's
     * {@code zktp-proxy}) with a guessed password, then an {@code auth} entry: refused with {@code INVALIDACL}, as a
     * {@code digest} entry naming those users is, also after a non-digest auth (which makes the proxy pass {@code auth}
     * on for the ensemble to expand). Otherwise the ensemble would store {@code digest:zktp-tenant-t1:<guess>}, which
     * the tenant's getACL shows as {@code world:anyone} though no session of the tenant can read it, and which
     * {@code migrate-acls} would turn into the tenant identity.
     */
    @Test
    void anAuthEntryCannotNameTheProxysUsersThroughAGuessedDigest() throws Exception {
        List<String> childrenBefore = attackerChildren();
        for (String user : List.of(Identities.tenantUser(ATTACKER), Identities.PLATFORM_USER)) {
            for (boolean otherAuthToo : new boolean[] {false, true}) {
                RawClient c = attacker();
                assertEquals(0, c.call(Xids.AUTH, auth("digest", user + ":guess")).err());
                if (otherAuthToo) {
                    assertEquals(0, c.call(Xids.AUTH, auth("ip", "")).err()); // any scheme the ensemble knows
                }
                int xid = 0;
                for (OpCode op : new OpCode[] {OpCode.CREATE, OpCode.CREATE2, OpCode.CREATE_CONTAINER,
                    OpCode.CREATE_TTL}) {
                    xid++;
                    assertEquals(KeeperCode.INVALID_ACL, c.call(xid, create(xid, op, "/mine",
                            List.of(new Ace(31, "auth", "")))).err(), user + " " + op + " other auth " + otherAuthToo);
                }
                assertEquals(KeeperCode.INVALID_ACL, c.call(9, setAcl(9, "/own", List.of(new Ace(31, "auth", "")),
                        -1)).err());
                assertEquals(List.of(KeeperCode.OK, KeeperCode.INVALID_ACL), c.call(10, multi(10, "/ok",
                        OpCode.CREATE, "/mine", List.of(new Ace(31, "auth", "")))).multiErrors());
                assertEquals(0, c.call(11, create(11, OpCode.CREATE, "/open", List.of(Ace.anyone(31)))).err(),
                        "other lists still pass");
                direct.delete(ATTACKER_ROOT + "/open", -1);
            }
        }
        assertEquals(childrenBefore, attackerChildren());
        assertEquals(List.of(stored(31, tenantId(ATTACKER)), stored(31, platformId())),
                direct.getACL(ATTACKER_ROOT + "/own", null), "the setACLs changed /own");
    }

    /**
     * An auth packet of a scheme the ensemble does not know, after a request and before another, in one write: the
     * client gets {@code AUTHFAILED} (-115) with xid -4 and is closed, not counted as the proxy's own auth failing.
     * The same sent behind the ConnectRequest likewise. A second connection of the same tenant and a raw client of
     * the other tenant, open all along, keep working: checked with requests.
     */
    @Test
    void anUnknownAuthSchemeClosesThatClientOnly() throws Exception {
        RawClient sameTenant = attacker();
        RawClient otherTenant = raw(proxy, VICTIM);
        assertTrue(otherTenant.handshake().getTimeOut() > 0);
        double proxyAuthFailed = closedCount(proxy, ATTACKER, "upstream_auth_failed");

        RawClient c = attacker();
        c.send(JuteFrames.concat(RawFrame.pathRequest(1, OpCode.EXISTS, bytes("/own")),
                auth("no-such-scheme", "x"), RawFrame.pathRequest(2, OpCode.EXISTS, bytes("/own"))));
        List<ServerReply> replies = new ArrayList<>();
        try {
            while (true) {
                replies.add(c.readReply());
            }
        } catch (IOException e) {
            // closed
        }
        assertTrue(replies.stream().anyMatch(r -> r.xid() == Xids.AUTH && r.err() == KeeperCode.AUTH_FAILED),
                "replies: " + replies);
        assertTrue(c.awaitClosed(WAIT));

        RawClient early = raw(proxy, ATTACKER);
        early.send(JuteFrames.concat(JuteFrames.connectRequest(), auth("no-such-scheme", "x")));
        assertTrue(early.readConnectResponse().getTimeOut() > 0);
        ServerReply failed = early.readReply();
        assertEquals(Xids.AUTH, failed.xid());
        assertEquals(KeeperCode.AUTH_FAILED, failed.err());
        assertTrue(early.awaitClosed(WAIT));
        assertEquals(proxyAuthFailed, closedCount(proxy, ATTACKER, "upstream_auth_failed"),
                "the client's failed auth was taken for the tenant identity's");

        assertEquals("/still-here", sameTenant.call(1, create(1, OpCode.CREATE, "/still-here",
                List.of(Ace.anyone(31)))).path());
        assertNotNull(direct.exists(ATTACKER_ROOT + "/still-here", false));
        assertEquals(0, otherTenant.call(1, RawFrame.pathRequest(1, OpCode.EXISTS, bytes("/secret"))).err());
        assertTrue(sameTenant.isOpenAfterPing() && otherTenant.isOpenAfterPing());
    }
}
