package io.zktenantproxy.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.it.TestSecret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code migrate-acls} usage and configuration errors: exit 2 with one line saying what is wrong, before anything
 * connects (the upstream named here does not exist). {@code MigrateAclsIT} runs it against a real ensemble.
 */
class MigrateAclsCommandTest {
    private static final String NOWHERE = "127.0.0.1:1";

    @TempDir
    Path dir;

    private static void assertUsageError(String expected, Cli.Run run) {
        assertEquals(2, run.exit(), run.out() + run.err());
        assertTrue(run.err().contains(expected), run.err());
        assertEquals("", run.out());
    }

    @Test
    void eitherATenantOrAConfigurationIsNeeded() {
        Path secret = TestSecret.file(1);
        assertUsageError("error: give either --tenant NAME or --config FILE (not both)",
                Cli.run("migrate-acls", "--upstream", NOWHERE, "--upstream-secret-file", secret.toString()));
        assertUsageError("error: give either --tenant NAME or --config FILE (not both)",
                Cli.run("migrate-acls", "--upstream", NOWHERE, "--upstream-secret-file", secret.toString(),
                        "--tenant", "acme", "--config", dir.resolve("proxy.yaml").toString()));
        assertUsageError("error: --chroot goes with --tenant", Cli.run("migrate-acls", "--upstream", NOWHERE,
                "--upstream-secret-file", secret.toString(), "--config", dir.resolve("proxy.yaml").toString(),
                "--chroot", "/x"));
    }

    @Test
    void theTenantIsValidatedAsTheProxyValidatesIt() {
        Path secret = TestSecret.file(1);
        assertUsageError("tenants[0].name: 'a:b'", Cli.run("migrate-acls", "--upstream", NOWHERE,
                "--upstream-secret-file", secret.toString(), "--tenant", "a:b"));
        assertUsageError("tenants[0].chroot: chroot '/'", Cli.run("migrate-acls", "--upstream", NOWHERE,
                "--upstream-secret-file", secret.toString(), "--tenant", "acme", "--chroot", "/"));
        assertUsageError("error: --upstream is required", Cli.run("migrate-acls",
                "--upstream-secret-file", secret.toString(), "--tenant", "acme"));
    }

    @Test
    void aSecretIsRequiredAndMustBeAcceptable() throws Exception {
        assertUsageError("error: an upstream secret is required: --upstream-secret-file FILE",
                Cli.run("migrate-acls", "--upstream", NOWHERE, "--tenant", "acme"));
        Path missing = dir.resolve("missing");
        assertUsageError("upstream.secretFile: " + missing + ": no such file", Cli.run("migrate-acls",
                "--upstream", NOWHERE, "--tenant", "acme", "--upstream-secret-file", missing.toString()));
        Path shared = dir.resolve("shared");
        Files.writeString(shared, TestSecret.random() + "\n");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
        assertUsageError("readable or writable by others", Cli.run("migrate-acls", "--upstream", NOWHERE,
                "--tenant", "acme", "--upstream-secret-file", shared.toString()));
    }

    @Test
    void theConfigurationGivesTheSecretFileAndItsProblemsAreUsageErrors() throws Exception {
        Path config = dir.resolve("proxy.yaml");
        Path missing = dir.resolve("no-secret");
        Files.writeString(config, "upstream: {connect: \"" + NOWHERE + "\", secretFile: " + missing + "}\n"
                + "tenants:\n  - {name: acme, listen: 127.0.0.1:0}\n");
        assertUsageError("upstream.secretFile: " + missing + ": no such file",
                Cli.run("migrate-acls", "--config", config.toString()));
        Files.writeString(config, "tenants:\n  - {name: acme}\n");
        assertEquals(2, Cli.run("migrate-acls", "--config", config.toString()).exit(), "an invalid configuration");
    }

    @Test
    void theParentsOfAChrootAreItsAncestorsBelowTheTop() {
        assertEquals(List.of("/tenants"), AclMigrator.ancestors("/tenants/acme", "/"));
        assertEquals(List.of("/a", "/a/b"), AclMigrator.ancestors("/a/b/c", "/"));
        assertEquals(List.of(), AclMigrator.ancestors("/acme", "/"));
        assertEquals(List.of("/zookeeper/quota/tenants"),
                AclMigrator.ancestors("/zookeeper/quota/tenants/acme", "/zookeeper/quota"));
        assertEquals(List.of(), AclMigrator.ancestors("/zookeeper/quota/acme", "/zookeeper/quota"));
    }
}
