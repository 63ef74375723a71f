package io.zktenantproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The {@code server} section: absent means no transport named, each name read, anything else refused. */
class ServerConfigTest {
    private static final String TENANTS = "tenants: [{name: acme, listen: 127.0.0.1:0}]\n";

    @Test
    void absentNamesNoTransport() throws Exception {
        assertThat(ConfigLoader.parse(TENANTS, "t").server()).isEqualTo(ServerConfig.defaults());
        assertThat(ConfigLoader.parse(TENANTS, "t").server().transport()).isNull();
    }

    @Test
    void everyTransportIsReadFromYaml() throws Exception {
        for (String name : ServerConfig.TRANSPORTS) {
            ServerConfig server = ConfigLoader.parse(TENANTS + "server: {transport: " + name + "}\n", "t").server();
            assertThat(server.transport()).isEqualTo(name);
            assertThat(server.effectiveTransport()).isEqualTo(name);
        }
    }

    @Test
    void anUnknownTransportOrKeyIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.parse(TENANTS + "server: {transport: uring}\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "t: server.transport: 'uring' (expected one of auto, io_uring, epoll, nio)"));
        assertThatThrownBy(() -> ConfigLoader.parse(TENANTS + "server: {transprot: nio}\n", "t"))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).singleElement().asString()
                        .contains("server.transprot"));
    }
}
