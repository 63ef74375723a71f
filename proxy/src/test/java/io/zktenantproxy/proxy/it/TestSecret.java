package io.zktenantproxy.proxy.it;

import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Upstream secrets for tests: files made as an operator would ({@code chmod 600}) holding fresh random secrets, and
 * clients of the ensemble authenticated as the platform identity derived from them.
 */
public final class TestSecret {
    /** System property that turns the upstream secret on in every proxy {@link ProxyHarness} starts. */
    public static final String PROPERTY = "zktp.it.upstreamSecret";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Path shared;

    private TestSecret() {
    }

    /** @return a new secret file with {@code lines} random secrets (the first current), mode 600 */
    public static Path file(int lines) {
        String[] secrets = new String[lines];
        for (int i = 0; i < lines; i++) {
            secrets[i] = random();
        }
        return file(secrets);
    }

    /** @return a new secret file holding {@code secrets}, one a line (the first current), mode 600 */
    public static Path file(String... secrets) {
        try {
            Path file = Files.createTempFile("zktp-secret", "");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            StringBuilder text = new StringBuilder();
            for (String secret : secrets) {
                text.append(secret).append('\n');
            }
            Files.writeString(file, text);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a fresh random secret, 32 bytes in base64 */
    public static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** @return the secret file every harness proxy of this JVM shares when {@link #PROPERTY} is on, else null */
    public static synchronized Path sharedWhenOn() {
        if (!Boolean.getBoolean(PROPERTY)) {
            return null;
        }
        if (shared == null) {
            shared = file(1);
        }
        return shared;
    }

    /** @return the identities a proxy derives from {@code file} (no operator configured) */
    public static Identities identities(Path file) {
        try {
            return Identities.of(UpstreamSecret.read(file), null);
        } catch (ConfigException e) {
            throw new IllegalStateException(String.join("; ", e.errors()), e);
        }
    }

    /** @return a connected client of the ensemble authenticated as the platform identity derived from {@code file} */
    public static OperatorClient platformClient(String connectString, Path file) throws InterruptedException {
        List<DigestCredential> platform = identities(file).platform();
        OperatorClient client = OperatorClient.start(connectString, platform, null);
        if (!client.awaitConnected(Duration.ofSeconds(30))) {
            client.close();
            throw new IllegalStateException("cannot connect to " + connectString);
        }
        return client;
    }
}
