package io.zktenantproxy.flinkha.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.harness.DirectAccess;
import io.zktenantproxy.flinkha.harness.FlinkCluster;
import io.zktenantproxy.flinkha.harness.FlinkHa;
import io.zktenantproxy.flinkha.harness.FlinkZnodes;
import io.zktenantproxy.flinkha.harness.JobManagerFailover;
import io.zktenantproxy.flinkha.harness.PlainClients;
import io.zktenantproxy.flinkha.harness.Proxies;
import io.zktenantproxy.flinkha.harness.Runs;
import io.zktenantproxy.flinkha.harness.UpstreamSecretFile;
import io.zktenantproxy.flinkha.harness.UpstreamTree;
import io.zktenantproxy.flinkha.harness.Verdicts;
import io.zktenantproxy.flinkha.harness.ZooKeeperEnsemble;
import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.server.ProxyServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flink's own ZooKeeper credentials through the proxy with the upstream secret on:
 * {@code high-availability.zookeeper.client.authorization} (Flink 1.20+, a map of scheme to auth data that Curator
 * sends as {@code AuthPacket}s after every (re)connect; the value is quoted, {@code digest:'alice:password'}, because
 * an unquoted second {@code :} does not parse as a map entry). The proxy forwards those packets; they add to the
 * tenant identity the proxy authenticates every upstream session as, never replace it (SECURITY.md, "Tenant
 * identities on the ensemble").
 *
 * <p>What the ensemble then holds depends on {@code high-availability.zookeeper.client.acl}:
 * <ul>
 *   <li>{@code open} (the default): Flink sends {@code world:anyone ALL}, which the proxy stores as the tenant
 *       identity plus the platform. Flink's digest is named nowhere, so a client straight on the ensemble with
 *       Flink's credentials gets {@code NOAUTH} on the whole HA tree, as one without credentials does.</li>
 *   <li>{@code creator}: Flink sends {@code auth ALL} ({@code CREATOR_ALL_ACL}); the proxy expands it to the
 *       session's own digest ids only, here {@code digest:alice:<hash>}, plus the platform, and not the tenant
 *       identity (which would open every creator-only znode to every session of the tenant). The HA znodes are then
 *       Flink's credentials' and the platform's: a session of the tenant through the proxy without those credentials
 *       gets {@code NOAUTH}, and, the other side of it, a client straight on the ensemble <em>with</em> Flink's
 *       credentials reads and writes them: the ACL names that digest, and ZooKeeper does not care which connection
 *       the digest came over. The proxy still keeps it from everything else: the chroot znode, {@code /tenants} and
 *       every other tenant stay {@code NOAUTH} to it. Whoever holds Flink's password and reaches the ensemble has
 *       Flink's HA tree; with {@code open} the password alone is worth nothing without the proxy.</li>
 * </ul>
 * Skipped (assumption) on Flink older than 1.20, which has no such option.
 */
class DigestAuthorizationIT {
    private static final Logger LOG = LoggerFactory.getLogger(DigestAuthorizationIT.class);
    /** {@code HighAvailabilityOptions.ZOOKEEPER_CLIENT_AUTHORIZATION}, Flink 1.20+. */
    private static final String AUTHORIZATION = "high-availability.zookeeper.client.authorization";
    /** {@code HighAvailabilityOptions.ZOOKEEPER_CLIENT_ACL}: {@code open} or {@code creator}. */
    private static final String ACL_MODE = "high-availability.zookeeper.client.acl";
    /** Flink's credentials, of the tenant's own choosing (not a secret of the platform). */
    private static final String FLINK_DIGEST = "alice:flink-own-password";
    private static final String TENANT = "acme";

    @TempDir
    Path work;

    @BeforeEach
    void flinkHasTheOption() {
        boolean known = false;
        try {
            HighAvailabilityOptions.class.getField("ZOOKEEPER_CLIENT_AUTHORIZATION");
            known = true;
        } catch (NoSuchFieldException e) {
            // Flink 1.19 and older
        }
        Assumptions.assumeTrue(known, "Flink " + EnvironmentInformation.getVersion() + " has no " + AUTHORIZATION);
    }

    private static Map<String, String> settings(FlinkHa ha, String aclMode) {
        Map<String, String> settings = new LinkedHashMap<>(ha.toMap());
        settings.put(AUTHORIZATION, "digest:'" + FLINK_DIGEST + "'");
        settings.put(ACL_MODE, aclMode);
        return settings;
    }

    /**
     * {@code client.acl: creator}: JobManager failover with Flink's digest on both JobManagers. While both run, every
     * znode of Flink's tree upstream carries exactly Flink's digest and the platform; a tenant session through the
     * proxy without Flink's credentials gets {@code NOAUTH}; a client straight on the ensemble gets {@code NOAUTH}
     * without credentials and with a guess, but reads with Flink's credentials (see the class comment); and even with
     * them it cannot list the chroot or {@code /tenants}.
     */
    @Test
    void creatorAclsNameFlinksOwnDigestAndAFailoverWorks() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(Proxies.tenant(TENANT, 0, List.of())))) {
            FlinkHa ha = FlinkHa.of(List.of(proxy.address(TENANT)), work);
            List<ACL> expected = new ArrayList<>();
            expected.add(new ACL(ZooDefs.Perms.ALL, new Id("digest", flinkId())));
            expected.addAll(platformAll());
            JobManagerFailover.Result result = JobManagerFailover.run(proxy, TENANT, tree, ha,
                    settings(ha, "creator"), "digest-creator", (znodes, job) -> {
                        List<String> paths = flinkTree(tree, znodes);
                        assertThat(paths).as("Flink's tree upstream").hasSizeGreaterThan(10);
                        assertEveryAcl(tree, paths, expected);
                        String dispatcher = znodes.base() + "/leader/dispatcher/connection_info";
                        String clientPath = dispatcher.substring(znodes.chroot().length());
                        try (ZooKeeper viaProxy = connect(proxy.address(TENANT), null);
                             ZooKeeper anonymous = connect(zk.connectString(), null);
                             ZooKeeper withFlinksDigest = connect(zk.connectString(), FLINK_DIGEST)) {
                            assertNoAuth("the tenant through the proxy, without Flink's digest",
                                    () -> viaProxy.getData(clientPath, false, null));
                            assertNoAuth("straight on the ensemble, no credentials",
                                    () -> anonymous.getData(dispatcher, false, null));
                            assertThat(withFlinksDigest.getData(dispatcher, false, null))
                                    .as("straight on the ensemble with Flink's own digest: the ACL names it")
                                    .isNotEmpty();
                            assertNoAuth("Flink's digest, the chroot", () -> withFlinksDigest.getChildren(
                                    znodes.chroot(), false));
                            assertNoAuth("Flink's digest, /tenants", () -> withFlinksDigest.getChildren(
                                    "/tenants", false));
                        }
                    });
            LOG.info("client.acl creator with Flink's digest: failover restored checkpoint {}",
                    result.restoredCheckpoint());
        }
    }

    /**
     * {@code client.acl: open} (Flink's default) with Flink's digest: the job runs to the end; while it runs, every
     * znode of Flink's tree upstream carries the tenant identity and the platform with ALL and nothing naming Flink's
     * digest; a client straight on the ensemble is refused every call on every znode ({@link DirectAccess}) with
     * Flink's credentials as without; the tenant through the proxy without Flink's credentials reads them (its
     * identity is the one the ACLs name).
     */
    @Test
    void openAclsNameTheTenantIdentityAndFlinksDigestOpensNothingDirectly() throws Exception {
        try (ZooKeeperEnsemble zk = ZooKeeperEnsemble.single(1_000);
             UpstreamTree tree = new UpstreamTree(zk.connectString());
             ProxyServer proxy = Proxies.start(zk.connectString(), List.of(Proxies.tenant(TENANT, 0, List.of())))) {
            FlinkHa ha = FlinkHa.of(List.of(proxy.address(TENANT)), work);
            FlinkZnodes znodes = ha.znodes(Proxies.chroot(proxy, TENANT));
            FraudJob.Spec run = Runs.spec("digest-open");
            List<ACL> expected = new ArrayList<>();
            for (DigestCredential c : UpstreamSecretFile.tenant(TENANT)) {
                expected.add(new ACL(ZooDefs.Perms.ALL, new Id("digest", c.id())));
            }
            expected.addAll(platformAll());
            try (FlinkCluster flink = FlinkCluster.start("jm", settings(ha, "open"), 1)) {
                JobID job = flink.submit(FraudJob.graph(run));
                Runs.awaitCheckpoint(tree, znodes, job, Runs.CHECKPOINTS_BEFORE_FAILURE);
                List<String> paths = flinkTree(tree, znodes);
                assertEveryAcl(tree, paths, expected);
                String dispatcher = znodes.base() + "/leader/dispatcher/connection_info";
                try (ZooKeeper viaProxy = connect(proxy.address(TENANT), null)) {
                    assertThat(viaProxy.getData(dispatcher.substring(znodes.chroot().length()), false, null))
                            .as("the tenant through the proxy, without Flink's digest").isNotEmpty();
                }
                List<String> refused;
                try (DirectAccess outsiders = DirectAccess.open(zk.connectString(), TENANT, List.of(FLINK_DIGEST))) {
                    outsiders.assertCannotList("/tenants");
                    refused = outsiders.assertRefusedEverything(paths, tree);
                }
                assertThat(refused).as("znodes refused every call from outside, Flink's digest included")
                        .contains(znodes.base(), dispatcher, znodes.executionPlans() + "/" + job);
                flink.awaitFinished(job);
                Verdicts.alertsMatchOracle(run);
                LOG.info("client.acl open with Flink's digest: {} znodes refused to direct clients", refused.size());
            }
        }
    }

    /** @return every path of Flink's tree upstream, {@code <chroot>/flink} and below */
    private static List<String> flinkTree(UpstreamTree tree, FlinkZnodes znodes) throws Exception {
        return tree.paths(znodes.chroot() + FlinkHa.PATH_ROOT);
    }

    /** Fails unless every path still there has exactly {@code expected} as its ACL, as the ensemble stores it. */
    private static void assertEveryAcl(UpstreamTree tree, List<String> paths, List<ACL> expected) throws Exception {
        int checked = 0;
        for (String path : paths) {
            Optional<List<ACL>> acl = tree.acl(path);
            if (acl.isPresent()) { // else deleted since the walk (a checkpoint subsumed)
                assertThat(acl.get()).as("ACL of " + path).containsExactlyElementsOf(expected);
                checked++;
            }
        }
        assertThat(checked).as("znodes whose ACL was read").isGreaterThan(10);
    }

    private static List<ACL> platformAll() {
        return UpstreamSecretFile.platform().stream()
                .map(c -> new ACL(ZooDefs.Perms.ALL, new Id("digest", c.id()))).toList();
    }

    /** @return the digest id ({@code alice:base64(sha1(...))}) Flink's credentials yield on the ensemble */
    private static String flinkId() {
        return DigestCredential.digestId(FLINK_DIGEST.getBytes(StandardCharsets.UTF_8));
    }

    private static ZooKeeper connect(InetSocketAddress address, String digest) throws Exception {
        return connect(address.getHostString() + ":" + address.getPort(), digest);
    }

    /** A plain client of {@code connectString}, connected, authenticated with {@code digest} unless null. */
    private static ZooKeeper connect(String connectString, String digest) throws Exception {
        return PlainClients.connect(connectString, 30_000, digest);
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void assertNoAuth(String what, Call call) throws Exception {
        try {
            call.run();
            throw new AssertionError(what + ": allowed (expected: NOAUTH)");
        } catch (KeeperException e) {
            assertThat(e.code()).as(what).isEqualTo(KeeperException.Code.NOAUTH);
        }
    }
}
