package io.zktenantproxy.proxy.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upstream secret file, its YAML forms, and the identities derived from it. */
class UpstreamSecretTest {
    private static final String S1 = "0123456789abcdef0123456789abcdef";
    private static final String S2 = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path dir;

    private Path file(String text, String mode) throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private String problem(Path file) {
        ConfigException e = assertThrows(ConfigException.class, () -> UpstreamSecret.read(file));
        assertEquals(1, e.errors().size(), e.errors().toString());
        return e.errors().get(0);
    }

    @Test
    void aMissingEmptyShortOrSharedFileIsRefusedWithItsReason() throws Exception {
        assertTrue(problem(dir.resolve("absent")).endsWith("absent: no such file"));
        assertTrue(problem(file("\n  \n", "rw-------")).contains("empty"));
        assertTrue(problem(file("short\n", "rw-------")).contains("5 characters (expected: at least 24)"));
        String shared = problem(file(S1, "rw-r--r--"));
        assertTrue(shared.contains("readable or writable by others than its owner"), shared);
        assertTrue(problem(file(S1, "rw-r-----")).contains("others than its owner"));
        assertFalse(shared.contains(S1), "the secret is never in a message");
    }

    @Test
    void oneSecretPerLineTheCurrentFirst() throws Exception {
        UpstreamSecret secret = UpstreamSecret.read(file("  " + S2 + "  \n\n" + S1 + "\n", "r--------"));
        List<byte[]> secrets = secret.secrets();
        assertEquals(2, secrets.size());
        assertArrayEquals(S2.getBytes(StandardCharsets.UTF_8), secrets.get(0));
        assertFalse(secret.toString().contains(S1));
    }

    @Test
    void identitiesAreTheSameForTheSameSecretAndDifferForAnother() {
        Identities a = Identities.of(UpstreamSecret.of(S1), null);
        Identities b = Identities.of(UpstreamSecret.of(S1), null);
        Identities rotated = Identities.of(UpstreamSecret.of(S2, S1), null);
        DigestCredential acme = a.tenant("acme").get(0);
        assertEquals("zktp-tenant-acme", acme.user());
        assertEquals(acme, b.tenant("acme").get(0), "every replica derives the same identity");
        assertEquals(43, acme.password().length(), "256 bits, base64url without padding");
        assertFalse(acme.password().equals(a.tenant("globex").get(0).password()));
        assertEquals(List.of(rotated.tenant("acme").get(1)), a.tenant("acme"), "the previous secret's, second");
        assertFalse(rotated.tenant("acme").get(0).equals(acme));
        assertEquals("zktp-proxy", a.platform().get(0).user());
        assertFalse(acme.toString().contains(acme.password()));
        assertEquals(List.of(), Identities.of(null, null).tenant("acme"));
        assertEquals("ops", Identities.of(UpstreamSecret.of(S1), new OperatorConfig("ops", "pw")).platform().get(0)
                .user(), "a configured operator identity is the platform's");
    }

    @Test
    void upstreamIsAConnectStringOrAMappingWithTheSecretFile() throws Exception {
        String tenants = "\ntenants: [{name: acme, listen: 127.0.0.1:7451}]\n";
        ProxyConfig plain = ConfigLoader.parse("upstream: zk1:2181,zk2:2181" + tenants, "t");
        assertEquals("zk1:2181,zk2:2181", plain.connectString());
        assertNull(plain.upstream().secretFile());
        ProxyConfig mapping = ConfigLoader.parse("upstream: {connect: 'zk1:2181', secretFile: /etc/zktp/secret}"
                + tenants, "t");
        assertEquals("zk1:2181", mapping.connectString());
        assertEquals("/etc/zktp/secret", mapping.upstream().secretFile());
        ProxyConfig embedded = ConfigLoader.parse("upstream: {secretFile: /etc/zktp/secret}" + tenants, "t");
        assertNull(embedded.connectString(), "no connect string: the embedded ZooKeeper");
        ConfigException unknown = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "upstream: {connect: 'zk1:2181', secret: x}" + tenants, "t"));
        assertEquals(List.of("t: upstream.secret: unknown key (expected one of connect, secretFile, tls, version, versionCheckMs)"),
                unknown.errors());
    }
}
