package io.zktenantproxy.flinkha.harness;

import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

/**
 * The upstream secret of this JVM's proxies: one file, made as an operator would ({@code chmod 600}, one random
 * secret), that every proxy {@link Proxies} starts reads. Replicas of one tenant, and a proxy restarted on the same
 * address, therefore derive the same identities, as replicas sharing a Kubernetes Secret do.
 *
 * <p>With the secret on, the tenants' znodes and the proxy's own are closed to every client of the ensemble but the
 * platform; the harness reads the upstream tree as the platform ({@link #platform()}, see {@link UpstreamTree}).
 * (The proxy module's {@code TestSecret} does the same, but it lives in that module's tests, which this one does not
 * depend on.)
 */
public final class UpstreamSecretFile {
    private static Path file;

    private UpstreamSecretFile() {
    }

    /** @return the secret file of this JVM, made on first use, mode 600, deleted when the JVM exits */
    public static synchronized Path path() {
        if (file == null) {
            file = create();
        }
        return file;
    }

    /** @return the credentials of the platform identity a proxy derives from {@link #path()} (no operator identity) */
    public static List<DigestCredential> platform() {
        try {
            return Identities.of(UpstreamSecret.read(path()), null).platform();
        } catch (ConfigException e) {
            throw new IllegalStateException(String.join("; ", e.errors()), e);
        }
    }

    /** @return the credentials of {@code tenant}'s identity a proxy derives from {@link #path()} */
    public static List<DigestCredential> tenant(String tenant) {
        try {
            return Identities.of(UpstreamSecret.read(path()), null).tenant(tenant);
        } catch (ConfigException e) {
            throw new IllegalStateException(String.join("; ", e.errors()), e);
        }
    }

    private static Path create() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        try {
            Path created = Files.createTempFile("zktp-flink-secret", "",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            created.toFile().deleteOnExit();
            Files.writeString(created, Base64.getEncoder().encodeToString(secret) + "\n");
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
