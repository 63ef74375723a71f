package io.zktenantproxy.proxy.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes key and certificate files readable by their owner only (mode 600 where the file system has POSIX
 * permissions) and whole at once: the bytes go to a temporary file beside the target, which is then moved over it,
 * so a process watching the file (a certificate reload) never reads half of one.
 */
final class OwnerOnlyFiles {
    private OwnerOnlyFiles() {
    }

    /** Writes {@code content} to {@code file}, replacing it, creating its folder if needed. @return {@code file} */
    static Path write(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String prefix = "." + file.getFileName();
        Path temp = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)
                ? Files.createTempFile(dir, prefix, ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, prefix, ".tmp");
        try {
            Files.write(temp, content);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return file;
    }
}
