package io.zktenantproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@code upstream.version}: the ensemble's release when it should not be asked with {@code srvr}. */
class UpstreamVersionTest {
    @Test
    void aReleaseIsRead() throws Exception {
        ProxyConfig config = ConfigLoader.parse("upstream: {connect: \"zk:2181\", version: \"3.5\"}\n"
                + "tenants: [{name: a, listen: 0.0.0.0:1}]\n", "t");
        assertThat(config.upstream().version()).isEqualTo("3.5");
        assertThat(config.upstream().withConnect("zk:2182").version()).isEqualTo("3.5");
    }

    @Test
    void somethingElseIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse("upstream: {connect: \"zk:2181\", version: latest}\n"
                + "tenants: [{name: a, listen: 0.0.0.0:1}]\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "t: upstream.version: 'latest' (expected: a ZooKeeper version such as 3.5 or 3.8.4)"));
    }

    @Test
    void zooKeeper34IsRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse("upstream: {connect: \"zk:2181\", version: \"3.4.14\"}\n"
                + "tenants: [{name: a, listen: 0.0.0.0:1}]\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "t: upstream.version: 3.4.14 is not supported: the proxy needs a ZooKeeper 3.5.0 ensemble or "
                                + "later"));
    }

    @Test
    void theReleaseCheckPeriodIsReadAndDefaultsToAMinute() throws Exception {
        ProxyConfig config = ConfigLoader.parse("upstream: {connect: \"zk:2181\", versionCheckMs: 5000}\n"
                + "tenants: [{name: a, listen: 0.0.0.0:1}]\n", "t");
        assertThat(config.upstream().effectiveVersionCheck()).hasMillis(5000);
        assertThat(config.upstream().withConnect("zk:2182").versionCheckMs()).isEqualTo(5000L);
        assertThat(UpstreamConfig.of("zk:2181").effectiveVersionCheck()).hasMillis(60_000);
        assertThatThrownBy(() -> ConfigLoader.parse("upstream: {connect: \"zk:2181\", versionCheckMs: -1}\n"
                + "tenants: [{name: a, listen: 0.0.0.0:1}]\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "t: upstream.versionCheckMs: must be 0 (never) or a period in milliseconds"));
    }
}
