package io.zktenantproxy.proxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zktenantproxy.proxy.tls.CertSpec;
import io.zktenantproxy.proxy.tls.IssuedCert;
import io.zktenantproxy.proxy.tls.PemFiles;
import io.zktenantproxy.proxy.tls.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check-config} on the TLS settings: certificates made by the test, each broken file one clear line and exit
 * 2 (unreadable, a key of another certificate, expired, not a certificate), a good set summarised; PEM with an EC or
 * an RSA key and PKCS12 all accepted.
 */
class CheckConfigTlsTest {
    @TempDir
    Path dir;
    private TestCa ca;
    private PemFiles server;
    private Path caPem;

    @BeforeEach
    void pki() throws Exception {
        ca = TestCa.create("tenants CA");
        caPem = ca.writeCertPem(dir.resolve("ca.pem"));
        server = ca.issue(CertSpec.server()).writePem(dir, "server");
    }

    private CheckConfigCommandTest.Run check(String tls) throws Exception {
        Path file = dir.resolve("proxy.yaml");
        // globex has no listener of its own where the shared TLS listener serves it
        Files.writeString(file, "upstream: zk-0:2181\n" + tls + "tenants:\n  - {name: acme, listen: 0.0.0.0:7461}\n"
                + (tls.contains("listen:") ? "  - {name: globex}\n" : "  - {name: globex, listen: 0.0.0.0:7462}\n"));
        return CheckConfigCommandTest.main("check-config", file.toString());
    }

    private String tls(Path cert, Path key) {
        return "tls: {cert: " + cert + ", key: " + key + ", clientCa: " + caPem + ", listen: 0.0.0.0:7443,"
                + " clientIdentity: \"uri:spiffe://platform/ns/{tenant}/sa/*\"}\n";
    }

    @Test
    void goodFilesAreSummarised() throws Exception {
        CheckConfigCommandTest.Run run = check(tls(server.cert(), server.key()));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("tls: certificate " + server.cert() + ", client certificates required (CA "
                        + caPem + ", rule uri:spiffe://platform/ns/{tenant}/sa/*), shared listener 0.0.0.0:7443\n")
                .contains("tenant acme: listen 0.0.0.0:7461 (TLS)")
                .contains("tenant globex: listen (shared TLS listener only)")
                .endsWith("OK\n");
    }

    @Test
    void rsaKeysAndPkcs12AreAccepted() throws Exception {
        PemFiles rsa = ca.issue(CertSpec.server().rsa()).writePem(dir, "rsa");
        assertThat(check(tls(rsa.cert(), rsa.key())).exit()).isZero();
        Path p12 = ca.issue(CertSpec.server()).writePkcs12(dir.resolve("server.p12"), "pw".toCharArray());
        CheckConfigCommandTest.Run run = check("tls: {cert: " + p12 + ", keyPassword: pw}\n");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).doesNotContain("pw");
    }

    @Test
    void eachBrokenFileIsOneClearLine() throws Exception {
        CheckConfigCommandTest.Run missing = check(tls(dir.resolve("nope.pem"), server.key()));
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("error: tls.cert: " + dir.resolve("nope.pem")).contains("cannot read");

        PemFiles other = ca.issue(CertSpec.server()).writePem(dir, "other");
        CheckConfigCommandTest.Run mismatch = check(tls(server.cert(), other.key()));
        assertThat(mismatch.exit()).isEqualTo(2);
        assertThat(mismatch.err()).isEqualTo("error: tls.cert: " + server.cert() + ": the key in " + other.key()
                + " does not belong to the certificate CN=localhost\n");

        Instant past = Instant.now().minus(Duration.ofDays(3));
        IssuedCert old = ca.issue(CertSpec.server().withValidity(past, past.plus(Duration.ofDays(1))));
        PemFiles expired = old.writePem(dir, "expired");
        CheckConfigCommandTest.Run run = check(tls(expired.cert(), expired.key()));
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("error: tls.cert: " + expired.cert() + ": the certificate CN=localhost "
                + "expired on ");

        CheckConfigCommandTest.Run notCa = check("tls: {cert: " + server.cert() + ", key: " + server.key()
                + ", clientCa: " + server.key()
                + "}\n");
        assertThat(notCa.exit()).isEqualTo(2);
        assertThat(notCa.err()).startsWith("error: tls.clientCa: " + server.key() + ":");
    }

    @Test
    void sharedListenerWithoutClientCaAndABadRuleAreRefused() throws Exception {
        CheckConfigCommandTest.Run run = check("tls: {cert: " + server.cert() + ", key: " + server.key()
                + ", listen: 0.0.0.0:7443,"
                + " clientIdentity: \"uri:spiffe://platform/ns/acme\"}\n");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("tls.listen: the shared TLS listener tells tenants apart by their client "
                        + "certificates, so it needs tls.clientCa")
                .contains("tls.clientIdentity: 'uri:spiffe://platform/ns/acme': the template must hold {tenant} "
                        + "exactly once");
    }
}
