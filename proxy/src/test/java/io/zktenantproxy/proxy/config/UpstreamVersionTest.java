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
}
