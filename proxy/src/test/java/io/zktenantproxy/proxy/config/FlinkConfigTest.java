package io.zktenantproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code flink} section: defaults when absent, values read from YAML, every bound checked. */
class FlinkConfigTest {
    private static final String TENANTS = "tenants: [{name: acme, listen: 127.0.0.1:0}]\n";

    @Test
    void absentMeansTheDefaults() throws Exception {
        FlinkConfig flink = ConfigLoader.parse(TENANTS, "t").flink();
        assertThat(flink).isEqualTo(FlinkConfig.defaults());
        assertThat(flink.scanIntervalMs()).isEqualTo(30_000);
        assertThat(flink.roots()).containsExactly("/flink");
        assertThat(flink.discover()).isTrue();
        assertThat(flink.enabled()).isTrue();
    }

    @Test
    void readFromYaml() throws Exception {
        FlinkConfig flink = ConfigLoader.parse(TENANTS + "flink: {scanIntervalMs: 0, roots: [/ha, /flink/x], "
                + "discover: false, maxClusters: 3, maxJobs: 7, maxNodes: 500, scanTimeoutMs: 2000, "
                + "orphanAfterMs: 60000}\n", "t").flink();
        assertThat(flink).isEqualTo(new FlinkConfig(0, List.of("/ha", "/flink/x"), false, 3, 7, 500, 2000, 60_000L));
        assertThat(flink.enabled()).isFalse();
    }

    @Test
    void everyBoundIsChecked() {
        assertThatThrownBy(() -> ConfigLoader.parse(TENANTS + "flink: {scanIntervalMs: 50, roots: [flink, /a//b], "
                + "maxClusters: 0, maxJobs: 1001, maxNodes: 0, scanTimeoutMs: -1, orphanAfterMs: -1}\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "t: flink.scanIntervalMs: 50 (expected: 0 for no scan, or >= 100)",
                        "t: flink.maxClusters: 0 (expected: 1..1000)",
                        "t: flink.maxJobs: 1001 (expected: 1..1000)",
                        "t: flink.maxNodes: 0 (expected: > 0)",
                        "t: flink.scanTimeoutMs: -1 (expected: > 0)",
                        "t: flink.orphanAfterMs: -1 (expected: >= 0)",
                        "t: flink.roots: 'flink': " + rootError("flink"),
                        "t: flink.roots: '/a//b': " + rootError("/a//b")));
        assertThatThrownBy(() -> ConfigLoader.parse(TENANTS + "flink: {roots: [], discover: false}\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "t: flink.roots: empty and discover false (expected: a root, or discover: true)"));
        assertThatThrownBy(() -> ConfigLoader.parse(TENANTS + "flink: {scanIntervalMS: 1000}\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors().get(0))
                        .startsWith("t: flink.scanIntervalMS: unknown key"));
    }

    private static String rootError(String root) {
        try {
            new io.zktenantproxy.protocol.TenantChroot("/t").prepend(root);
            return "(valid)";
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
