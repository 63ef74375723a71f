package io.zktenantproxy.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A configuration that does not parse is reported with where and what, never with the lines it quotes: a broken line
 * may hold the operator's password or the admin token, and a refused reload's messages go to the log and
 * {@code /tenants}.
 */
class ConfigErrorsTest {
    private static final String SECRET = "sup3r-s3cret";

    @Test
    void aSyntaxErrorNamesTheLineButQuotesNothing() {
        for (String yaml : new String[] {
            "operator: {user: ops, password: [" + SECRET + "}\n",
            "admin: {listen: 127.0.0.1:7452, token: \"" + SECRET + "\"\ntenants: []\n",
            "admin:\n  token: " + SECRET + "\n  listen: [\n"}) {
            assertThatThrownBy(() -> ConfigLoader.parse(yaml, "t"))
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> {
                        String message = String.join("\n", ((ConfigException) e).errors());
                        assertThat(message).startsWith("t: not valid YAML: ").contains("line ")
                                .doesNotContain(SECRET);
                    });
        }
    }
}
