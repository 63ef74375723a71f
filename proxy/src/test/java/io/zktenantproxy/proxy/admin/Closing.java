package io.zktenantproxy.proxy.admin;

/** Closes test resources in the order given, every one even when an earlier one fails. */
public final class Closing {
    private Closing() {
    }

    /** Closes each non-null resource in order; rethrows the first failure with the later ones suppressed. */
    public static void all(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable r : resources) {
            try {
                if (r != null) {
                    r.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
