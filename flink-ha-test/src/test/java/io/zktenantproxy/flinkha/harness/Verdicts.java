package io.zktenantproxy.flinkha.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.flinkha.job.Alert;
import io.zktenantproxy.flinkha.job.AlertOracle;
import io.zktenantproxy.flinkha.job.FraudJob;
import io.zktenantproxy.flinkha.job.RunLedger;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The checks every scenario ends with. */
public final class Verdicts {
    private Verdicts() {
    }

    /** The run's alerts equal the oracle's: none lost, none invented, none written twice with different values. */
    public static void alertsMatchOracle(FraudJob.Spec spec) {
        alertsMatchOracle(spec, RunLedger.of(spec.runId()));
    }

    /**
     * {@link #alertsMatchOracle(FraudJob.Spec)} on a given ledger: one rebuilt from the journals of TaskManager
     * processes ({@code LedgerJournal.replay}).
     */
    public static void alertsMatchOracle(FraudJob.Spec spec, RunLedger ledger) {
        Map<Alert.Key, Alert> expected = AlertOracle.expected(spec.transfers());
        assertThat(expected).as("the oracle's alerts (the input must produce some)").hasSizeGreaterThan(10);
        assertThat(ledger.conflicts()).as("alerts rewritten with a different value").isEmpty();
        assertThat(ledger.alerts()).as("alerts of run %s", spec.runId()).isEqualTo(expected);
    }

    /** The proxy's own bookkeeping: one ephemeral marker per proxied session, naming the session's tenant. */
    private static final Pattern PROXY_MARKER = Pattern.compile("/zk-tenant-proxy(/sessions(/[0-9a-f]+)?)?");

    /**
     * Every node of the upstream tree is ZooKeeper's own, the proxy's session marker, an ancestor of a chroot, or
     * inside a chroot and there under Flink's {@code path.root}; and each tenant's Flink tree is really there (so the
     * check is not vacuous).
     *
     * @param upstream every path of the upstream tree, from {@link UpstreamTree#paths}
     * @param tenants  each tenant's Flink layout
     */
    public static void flinkTreesOnlyUnderChroots(List<String> upstream, Collection<FlinkZnodes> tenants) {
        for (FlinkZnodes t : tenants) {
            assertThat(upstream).as("upstream tree").contains(t.latch(), t.base() + "/jobs");
        }
        assertThat(upstream).allSatisfy(path -> assertThat(allowed(path, tenants))
                .as("%s lies outside every tenant's chroot", path).isTrue());
    }

    private static boolean allowed(String path, Collection<FlinkZnodes> tenants) {
        if (path.equals("/") || path.equals("/zookeeper") || path.startsWith("/zookeeper/")
                || PROXY_MARKER.matcher(path).matches()) {
            return true;
        }
        for (FlinkZnodes t : tenants) {
            String flinkRoot = t.chroot() + t.pathRoot();
            if ((t.chroot() + "/").startsWith(path + "/") || path.equals(flinkRoot)
                    || path.startsWith(flinkRoot + "/")) {
                return true;
            }
        }
        return false;
    }
}
