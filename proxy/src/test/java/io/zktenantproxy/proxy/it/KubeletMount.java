package io.zktenantproxy.proxy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How the kubelet updates a mounted Secret or ConfigMap, for tests of what watches one: the files are symlinks through
 * {@code ..data}, which points at a timestamped folder; an update writes a new folder and replaces {@code ..data} by
 * an atomic rename of a new link. No file the application named is ever written.
 */
public final class KubeletMount {
    private KubeletMount() {
    }

    /** Points {@code dir/..data} at {@code folder} (a child of {@code dir}) with one atomic rename. */
    public static void swapDataTo(Path dir, Path folder) throws IOException {
        Path link = dir.resolve("..data_tmp");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, folder.getFileName());
        Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
