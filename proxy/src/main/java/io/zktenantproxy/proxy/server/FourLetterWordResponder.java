package io.zktenantproxy.proxy.server;

import io.zktenantproxy.protocol.FourLetterWord;

/**
 * Answers four-letter words on a tenant port, never forwarding one: the ensemble's answers to {@code cons},
 * {@code dump}, {@code wchp} and friends list other tenants' sessions and paths. The safe set is answered with
 * proxy-level facts only; every other word gets ZooKeeper's own "not in the whitelist" text.
 */
final class FourLetterWordResponder {
    static final String VERSION = "zk-tenant-proxy " + versionOf();

    private FourLetterWordResponder() {
    }

    /** @param tenantConnections open connections of the tenant whose port was asked (its own figure only) */
    static String answer(FourLetterWord word, int tenantConnections) {
        return switch (word.word()) {
            case "ruok" -> "imok";
            case "isro" -> "rw";
            case "srvr", "stat" -> "Zookeeper version: " + VERSION + "\n"
                    + "Mode: proxy\n"
                    + "Connections: " + tenantConnections + "\n";
            default -> word.word() + " is not executed because it is not in the whitelist.\n";
        };
    }

    private static String versionOf() {
        String v = FourLetterWordResponder.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
