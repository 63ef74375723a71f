package io.zktenantproxy.proxy.compat;

/** Compares ZooKeeper release strings ({@code "3.5.10"}) by their major and minor numbers. */
final class Releases {
    private Releases() {
    }

    /** @return whether {@code release} is {@code major.minor} or later */
    static boolean atLeast(String release, int major, int minor) {
        String[] parts = release.split("\\.");
        int ma = Integer.parseInt(parts[0]);
        int mi = Integer.parseInt(parts[1]);
        return ma > major || (ma == major && mi >= minor);
    }
}
