package io.zktenantproxy.proxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The upstream secret: the one value every proxy replica shares, from which each tenant's ZooKeeper identity is
 * derived (see {@code Identities}). Read from a file holding one secret per line: the
 * first is the current one; further lines are previous secrets still accepted while a rotation rolls (see
 * SECURITY.md, "Rotating the upstream secret"). Blank lines and surrounding spaces are ignored.
 *
 * <p>Refused, with a message naming the file: a file that is missing or unreadable, that holds no secret, a secret
 * shorter than {@value #MIN_LENGTH} characters, and, where the file system has POSIX permissions, a file that its
 * group or others may read (a Kubernetes Secret volume needs {@code defaultMode: 0400}).
 */
public final class UpstreamSecret {
    /** The shortest secret accepted, in characters: 128 bits of base64 or 96 of hex at the least. */
    public static final int MIN_LENGTH = 24;
    private static final Set<PosixFilePermission> SHARED = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private final List<byte[]> secrets;

    private UpstreamSecret(List<byte[]> secrets) {
        this.secrets = secrets;
    }

    /**
     * @param file the secret file, e.g. {@code /etc/zk-tenant-proxy/upstream-secret}
     * @throws ConfigException with one line saying what is wrong with the file
     */
    public static UpstreamSecret read(Path file) throws ConfigException {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(SHARED::contains)) {
                throw problem(file, "readable or writable by others than its owner (" + permissions
                        + "); chmod 600 it (or defaultMode: 0400 for a Kubernetes Secret volume)");
            }
        } catch (UnsupportedOperationException e) {
            // no POSIX permissions on this file system: nothing to check
        } catch (NoSuchFileException e) {
            throw problem(file, "no such file");
        } catch (IOException e) {
            throw problem(file, "cannot read: " + e.getMessage());
        }
        List<byte[]> secrets = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String secret = line.strip();
                if (secret.isEmpty()) {
                    continue;
                }
                if (secret.length() < MIN_LENGTH) {
                    throw problem(file, "line " + (secrets.size() + 1) + " holds a secret of " + secret.length()
                            + " characters (expected: at least " + MIN_LENGTH + ")");
                }
                secrets.add(secret.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw problem(file, "cannot read: " + e.getMessage());
        }
        if (secrets.isEmpty()) {
            throw problem(file, "empty (expected: the secret on its first line)");
        }
        return new UpstreamSecret(List.copyOf(secrets));
    }

    /** @return the secret given as is, for tests and benchmarks (no file) */
    public static UpstreamSecret of(String current, String... previous) {
        List<byte[]> secrets = new ArrayList<>();
        secrets.add(current.getBytes(StandardCharsets.UTF_8));
        for (String p : previous) {
            secrets.add(p.getBytes(StandardCharsets.UTF_8));
        }
        return new UpstreamSecret(List.copyOf(secrets));
    }

    /** @return every accepted secret, the current one first; copies, so callers may wipe them */
    public List<byte[]> secrets() {
        return secrets.stream().map(s -> Arrays.copyOf(s, s.length)).toList();
    }

    private static ConfigException problem(Path file, String what) {
        return new ConfigException(List.of("upstream.secretFile: " + file + ": " + what));
    }

    @Override
    public String toString() {
        return "UpstreamSecret[" + secrets.size() + " secret(s), ***]";
    }
}
