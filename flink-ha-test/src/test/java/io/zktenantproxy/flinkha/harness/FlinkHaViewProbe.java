package io.zktenantproxy.flinkha.harness;

import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.proxy.flink.ComponentLeader;
import io.zktenantproxy.proxy.flink.FlinkCluster;
import io.zktenantproxy.proxy.flink.FlinkHaScanner;
import io.zktenantproxy.proxy.flink.FlinkJob;
import io.zktenantproxy.proxy.flink.FlinkScanLimits;
import io.zktenantproxy.proxy.flink.FlinkView;
import io.zktenantproxy.proxy.flink.HaLayout;
import io.zktenantproxy.proxy.flink.LeaderInfo;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * The proxy's Flink HA view of a tenant (issue 18), as the admin page, the JSON route and the metrics scan get it:
 * one {@link FlinkHaScanner} over an {@link OperatorClient} pointed straight at the test ensemble, authenticated as
 * the platform identity ({@link UpstreamSecretFile#platform()}) as a proxy is. The same scanner serves every scan of
 * the probe, so its orphan decision remembers the clusters it saw alive, as a long-running proxy's does.
 */
public final class FlinkHaViewProbe implements AutoCloseable {
    /** Bounds far above what one Flink cluster writes; a scan that hits one would fail {@link #cluster}. */
    private static final int MAX_NODES = 10_000;
    private static final int MAX_CHILDREN = 1_000;
    private static final Duration SCAN_TIMEOUT = Duration.ofSeconds(20);

    private final OperatorClient client;
    private final FlinkHaScanner scanner;
    private final FlinkScanLimits limits;

    /**
     * @param connectString the ensemble, {@code host:port,...}
     * @param orphanAfter   how long a cluster must be dormant to be called orphaned
     */
    public FlinkHaViewProbe(String connectString, Duration orphanAfter) {
        this.client = OperatorClient.start(connectString, UpstreamSecretFile.platform(), null);
        this.scanner = new FlinkHaScanner(client);
        // the roots Flink is configured with here, no discovery: only the test's clusters are looked at
        this.limits = new FlinkScanLimits(List.of(FlinkHa.PATH_ROOT), false, MAX_NODES, MAX_CHILDREN, SCAN_TIMEOUT,
                orphanAfter);
    }

    /** @return a probe with the default threshold of one hour: nothing it sees during a test is orphaned */
    public static FlinkHaViewProbe of(String connectString) {
        return new FlinkHaViewProbe(connectString, Duration.ofHours(1));
    }

    /** @return one complete scan of the tenant whose chroot upstream is {@code chroot} (e.g. {@code /tenants/acme}) */
    public FlinkView scan(String chroot) throws Exception {
        // the scanner refuses to start while the client is not connected (a fresh probe, a reconnect)
        if (!client.awaitConnected(SCAN_TIMEOUT)) {
            throw new AssertionError("operator client not connected after " + SCAN_TIMEOUT);
        }
        FlinkView view = scanner.scan(new TenantChroot(chroot), limits).get(SCAN_TIMEOUT.toSeconds() + 10,
                TimeUnit.SECONDS);
        if (!view.complete()) {
            throw new AssertionError("incomplete Flink view of " + chroot + ": " + view.incomplete());
        }
        return view;
    }

    /** @return the cluster {@link FlinkHa#PATH_ROOT}{@code + clusterId} in {@code view}, if found */
    public static Optional<FlinkCluster> cluster(FlinkView view, String clusterId) {
        String path = FlinkHa.PATH_ROOT + clusterId;
        return view.clusters().stream().filter(c -> c.path().equals(path)).findFirst();
    }

    /** @return the scanned cluster of {@link FlinkHa#CLUSTER_ID} under {@code chroot}; fails if there is none */
    public FlinkCluster cluster(String chroot) throws Exception {
        FlinkView view = scan(chroot);
        return cluster(view, FlinkHa.CLUSTER_ID).orElseThrow(
                () -> new AssertionError("no cluster " + FlinkHa.CLUSTER_ID + " in the view: " + view));
    }

    /** @return the {@code component}'s leader information ({@code dispatcher}, {@code rest_server}, ...), if read */
    public static Optional<LeaderInfo> leader(FlinkCluster cluster, String component) {
        return cluster.leaders().stream().filter(l -> l.component().equals(component) && l.jobId() == null)
                .map(ComponentLeader::info).filter(i -> i != null && i.status() == LeaderInfo.Status.KNOWN)
                .findFirst();
    }

    /** @return {@code job} in {@code cluster}, if the view found it */
    public static Optional<FlinkJob> job(FlinkCluster cluster, JobID job) {
        return cluster.jobs().stream().filter(j -> j.jobId().equals(job.toString())).findFirst();
    }

    /** @return a ZooKeeper session id as the view prints it, {@code 0x...} */
    public static String session(long sessionId) {
        return "0x" + Long.toHexString(sessionId);
    }

    /** @return the layout the Flink on the class path writes: 1.15-1.20 ({@code jobgraphs}) or 2.3 */
    public static HaLayout expectedLayout() {
        return EnvironmentInformation.getVersion().startsWith("1.") ? HaLayout.FLINK_1_15 : HaLayout.FLINK_2_3;
    }

    /** Closes the operator client. */
    @Override
    public void close() {
        client.close();
    }
}
