package io.zktenantproxy.proxy.compat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cells of issue 15's matrix: Java clients by ZooKeeper ensembles. {@link #cells} gives the whole matrix when the
 * system property {@value #PROPERTY} is {@code full} (Maven profile {@code compat-matrix}), else the cells that matter
 * most, which {@code mvn verify} runs: every client against the newest ensemble, the newest client against every
 * ensemble, and Flink's bundled clients against the oldest ensemble Flink HA runs on (3.5).
 */
final class CompatMatrix {
    /** The system property choosing the matrix: {@code full}, or anything else for the CI subset. */
    static final String PROPERTY = "compat.matrix";

    /** Servers, oldest first; each runs in a JVM of its own ({@code OldEnsemble}). */
    static final List<String> ENSEMBLES = List.of("3.5.10", "3.6.4", "3.7.2", "3.8.4", "3.9.5");
    static final String NEWEST_ENSEMBLE = "3.9.5";
    static final String OLDEST_ENSEMBLE = "3.5.10";

    /** Bare ZooKeeper Java clients. */
    static final List<ClientUnderTest> ZOOKEEPER_CLIENTS = List.of(
            ClientUnderTest.zookeeper("3.4.14"),
            ClientUnderTest.zookeeper("3.5.10"),
            ClientUnderTest.zookeeper("3.6.4"),
            ClientUnderTest.zookeeper("3.7.2"),
            ClientUnderTest.zookeeper("3.8.4"),
            ClientUnderTest.zookeeper("3.9.5"));

    /** The ZooKeeper and Curator Flink bundles: 1.12 (Curator 4), 1.15, 1.17 to 1.20, 2.x (Curator 5). */
    static final List<ClientUnderTest> FLINK_CLIENTS = List.of(
            ClientUnderTest.flinkShaded("3.4.14-12.0", 4),
            ClientUnderTest.flinkShaded("3.5.9-15.0", 5),
            ClientUnderTest.flinkShaded("3.7.1-17.0", 5),
            ClientUnderTest.flinkShaded("3.7.2-21.0", 5));

    /** Plain Curator: 4.3 on the 3.5 client it was built for, and the test class path's 5.9 on 3.9.5. */
    static final List<ClientUnderTest> CURATOR_CLIENTS = List.of(
            ClientUnderTest.curator("4.3.0", "3.5.10"),
            ClientUnderTest.curator("5.9.0", "3.9.5"));

    private CompatMatrix() {
    }

    /**
     * One cell: a client against an ensemble.
     *
     * @param client   the client under test
     * @param ensemble the server release
     */
    record Cell(ClientUnderTest client, String ensemble) {
        /** @return what the 3.6 requests must do in this cell ({@code Steps.NEWER_OPS}) */
        String newerOps() {
            if (!client.bare() || !client.hasNewerOps()) {
                return "absent";
            }
            return Releases.atLeast(ensemble, 3, 6) ? "served" : "unimplemented";
        }

        /**
         * @return the cache recipe to drive ({@code Steps.CACHE}): the client's, but {@code TreeCache} in place of
         *     {@code CuratorCache} before 3.6, whose persistent watches a 3.5 ensemble lacks (the proxy answers -6)
         */
        String cache() {
            if ("curator".equals(client.cache()) && !Releases.atLeast(ensemble, 3, 6)) {
                return "tree";
            }
            return client.cache();
        }

        @Override
        public String toString() {
            return client.name() + " on ZooKeeper " + ensemble;
        }
    }

    /** @return every client, bare ZooKeeper first */
    static List<ClientUnderTest> clients() {
        List<ClientUnderTest> all = new ArrayList<>(ZOOKEEPER_CLIENTS);
        all.addAll(FLINK_CLIENTS);
        all.addAll(CURATOR_CLIENTS);
        return all;
    }

    /** @return the cells {@value #PROPERTY} asks for, without duplicates, in a stable order */
    static List<Cell> cells() {
        boolean full = "full".equals(System.getProperty(PROPERTY));
        Set<Cell> cells = new LinkedHashSet<>();
        for (String ensemble : ENSEMBLES) {
            for (ClientUnderTest client : clients()) {
                boolean newestEnsemble = ensemble.equals(NEWEST_ENSEMBLE);
                boolean newestClient = client.name().equals("zookeeper-" + NEWEST_ENSEMBLE);
                boolean flinkOnOldest = FLINK_CLIENTS.contains(client) && ensemble.equals(OLDEST_ENSEMBLE);
                if (full || newestEnsemble || newestClient || flinkOnOldest) {
                    cells.add(new Cell(client, ensemble));
                }
            }
        }
        return List.copyOf(cells);
    }
}
