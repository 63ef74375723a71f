package io.zktenantproxy.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check-config FILE}: exit 0 and a summary for a valid file, exit 2 and every problem for an invalid one. */
class CheckConfigCommandTest {
    @TempDir
    Path dir;

    /** Exit code and what the command printed. */
    record Run(int exit, String out, String err) {
    }

    /** CheckConfigCommand prints to System.out/err; capture them around one run. */
    private Run check(String yaml) throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, yaml);
        return main("check-config", file.toString());
    }

    /** Runs the command line, capturing System.out and System.err (check-config prints there). */
    static Run main(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void validFileIsSummarised() throws Exception {
        Run run = check("upstream: zk-0:2181,zk-1:2181\n"
                + "admin: {listen: 127.0.0.1:7452, slowThresholdMs: 250}\n"
                + "tenants:\n"
                + "  - {name: payments, listen: 0.0.0.0:7461}\n");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("upstream: zk-0:2181,zk-1:2181\n"), run.out());
        assertTrue(run.out().contains("admin: 127.0.0.1:7452 (no token: POST /reload refused)\n"), run.out());
        assertTrue(run.out().contains("tenant payments: listen 0.0.0.0:7461, chroot /tenants/payments, budget 10000 "
                + "requests/s, 33554432 bytes/s, quota 10000 znodes, 33554432 bytes (1024 per znode), 10000 watches "
                + "per session\n"), run.out());
        assertTrue(run.out().endsWith("OK\n"), run.out());
        assertTrue(run.out().contains("tenant identities: off (no upstream.secretFile: the ensemble is open to "
                + "direct clients)\n"), run.out());
    }

    @Test
    void theProxyRefusesToStartOnABadSecretFile() {
        Run run = main("--upstream", "127.0.0.1:2181", "--admin", "off", "--upstream-secret-file",
                dir.resolve("absent").toString());
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("error: upstream.secretFile: " + dir.resolve("absent") + ": no such file"),
                run.err());
    }

    @Test
    void theUpstreamSecretFileIsCheckedAndNeverPrinted() throws Exception {
        Path secret = dir.resolve("secret");
        String value = "0123456789abcdef0123456789abcdef";
        Files.writeString(secret, value + "\n" + value.toUpperCase() + "\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        String yaml = "upstream: {connect: 'zk-0:2181', secretFile: " + secret + "}\n"
                + "tenants: [{name: payments, listen: 0.0.0.0:7461}]\n";
        Run run = check(yaml);
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("tenant identities: on, derived from " + secret + " (2 secrets: a rotation is "
                + "under way)\n"), run.out());
        assertFalse(run.out().contains(value), run.out());

        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Run shared = check(yaml);
        assertEquals(2, shared.exit());
        assertTrue(shared.err().contains("upstream.secretFile: " + secret + ": readable or writable by others"),
                shared.err());
    }

    @Test
    void quotasHaveProxyWideDefaultsAndPerTenantOverrides() throws Exception {
        Run run = check("limits: {quotaZnodes: 5000, quotaBytes: 0, maxWatchesPerSession: 200, quotaBytesPerZnode: 512}\n"
                + "tenants:\n"
                + "  - {name: big, listen: 0.0.0.0:7461, quotaZnodes: 0, quotaBytes: 1073741824}\n"
                + "  - {name: small, listen: 0.0.0.0:7462, maxWatchesPerSession: 50}\n");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("chroot /tenants/big, budget 10000 requests/s, 33554432 bytes/s, quota "
                + "unlimited znodes, 1073741824 bytes (512 per znode), 200 watches per session\n"), run.out());
        assertTrue(run.out().contains("chroot /tenants/small, budget 10000 requests/s, 33554432 bytes/s, quota "
                + "5000 znodes, unlimited bytes (512 per znode), 50 watches per session\n"), run.out());
        Run invalid = check("limits: {quotaZnodes: -1, quotaBytesPerZnode: 64}\n"
                + "tenants:\n"
                + "  - {name: big, listen: 0.0.0.0:7461, quotaBytes: -2}\n");
        assertEquals(2, invalid.exit());
        assertTrue(invalid.err().contains("limits.quotaZnodes: -1 (expected: >= 0, 0 for no limit)"), invalid.err());
        assertTrue(invalid.err().contains("limits.quotaBytesPerZnode: 64 (expected: >= 128)"), invalid.err());
        assertTrue(invalid.err().contains("tenants[0].quotaBytes: -2 (expected: >= 0, 0 for no limit)"),
                invalid.err());
    }

    @Test
    void aTenantsOwnBudgetReplacesTheProxyWideOne() throws Exception {
        Run run = check("limits: {requestsPerSecond: 2000, bytesPerSecond: 0}\n"
                + "tenants:\n"
                + "  - {name: big, listen: 0.0.0.0:7461, requestsPerSecond: 50000, bytesPerSecond: 1048576}\n"
                + "  - {name: small, listen: 0.0.0.0:7462}\n");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("tenant big: listen 0.0.0.0:7461, chroot /tenants/big, budget 50000 requests/s, "
                + "1048576 bytes/s, "), run.out());
        assertTrue(run.out().contains("tenant small: listen 0.0.0.0:7462, chroot /tenants/small, budget 2000 "
                + "requests/s, unlimited bytes/s, "), run.out());
        Run outOfRange = check("limits: {requestsPerSecond: -1, bytesPerSecond: 2000000000}\n"
                + "tenants: [{name: a, listen: 127.0.0.1:7461, bytesPerSecond: -5}]\n");
        assertEquals(2, outOfRange.exit());
        assertTrue(outOfRange.err().contains("limits.requestsPerSecond: -1 (expected: 0..1000000000, 0 for no budget)"),
                outOfRange.err());
        // Bucket4j refills at most one token a nanosecond: more would fail at start instead of here
        assertTrue(outOfRange.err().contains("limits.bytesPerSecond: 2000000000 (expected: 0..1000000000"),
                outOfRange.err());
        assertTrue(outOfRange.err().contains("tenants[0].bytesPerSecond: -5 (expected: 0..1000000000"),
                outOfRange.err());
    }

    @Test
    void theShippedExampleIsValid() throws Exception {
        Path example = Path.of("..", "config", "shared-proxy.yaml");
        Run run = check(Files.readString(example));
        assertEquals(0, run.exit(), run.err());
    }

    @Test
    void everyProblemIsListedWithItsLocation() throws Exception {
        Run run = check("admin: {listen: 127.0.0.1:7452, slowThreshold: 5}\n"
                + "tenants:\n"
                + "  - {name: a, chrot: /x, listen: 127.0.0.1:1}\n");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("admin.slowThreshold: unknown key (expected one of listen, token, "
                + "slowThresholdMs, tokenFile)"), run.err());
        assertTrue(run.err().contains("tenants[0].chrot: unknown key"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void invalidValuesAreRefused() throws Exception {
        Run zero = check("admin: {listen: 127.0.0.1:7452, slowThresholdMs: 0}\n"
                + "tenants: [{name: a, listen: 127.0.0.1:7461}]\n");
        assertEquals(2, zero.exit());
        assertTrue(zero.err().contains("admin.slowThresholdMs: 0 (expected: > 0)"), zero.err());
        Run overlap = check("tenants:\n"
                + "  - {name: a, chroot: /t/a, listen: 127.0.0.1:7461}\n"
                + "  - {name: b, chroot: /t/a/b, listen: 127.0.0.1:7461}\n");
        assertEquals(2, overlap.exit());
        assertTrue(overlap.err().contains("port 7461 is already tenant 'a''s"), overlap.err());
        assertTrue(overlap.err().contains("chroots overlap: '/t/a' (tenant a) and '/t/a/b' (tenant b)"), overlap.err());
        assertEquals(2, check("tenants: [").exit());
    }
}
