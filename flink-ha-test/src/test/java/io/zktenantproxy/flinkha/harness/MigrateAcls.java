package io.zktenantproxy.flinkha.harness;

import io.zktenantproxy.proxy.cli.ServeCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The platform's {@code zk-tenant-proxy migrate-acls} (SECURITY.md, "Migrating a tree created before the upstream
 * secret"), run in the test's JVM as {@code Main.run} runs it, with what it prints captured: the command line,
 * not the classes behind it.
 */
public final class MigrateAcls {
    /**
     * One run.
     *
     * @param exit its exit code: 0 when every znode is migrated
     * @param out  its report: per tenant and for the platform's znodes, visited, changed, unchanged, unreadable
     * @param err  its errors
     */
    public record Run(int exit, String out, String err) {
        /**
         * @param part {@code "tenant acme"} or {@code "platform"}
         * @return how many znodes of {@code part} the run changed, as its summary line says
         */
        public int changed(String part) {
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(part)
                    + ": \\d+ znodes visited, (\\d+) changed, \\d+ unchanged, \\d+ unreadable").matcher(out);
            if (!m.find()) {
                throw new AssertionError("no summary of " + part + " in the report:\n" + out + err);
            }
            return Integer.parseInt(m.group(1));
        }
    }

    private MigrateAcls() {
    }

    /**
     * Migrates {@code tenant}'s tree (chroot {@code /tenants/<tenant>}) and the platform's znodes to the identities
     * derived from the JVM's secret ({@link UpstreamSecretFile}), authenticating as the platform identity.
     *
     * @param upstream the ensemble's servers
     */
    public static Run tenant(String upstream, String tenant) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new ServeCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("migrate-acls", "--upstream", upstream, "--tenant", tenant,
                        "--upstream-secret-file", UpstreamSecretFile.path().toString(), "--timeout-ms", "60000");
        return new Run(exit, out.toString(), err.toString());
    }
}
