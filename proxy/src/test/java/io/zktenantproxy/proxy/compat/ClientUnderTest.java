package io.zktenantproxy.proxy.compat;

import io.zktenantproxy.proxy.compat.driver.CuratorScenario;
import io.zktenantproxy.proxy.compat.driver.ZooKeeperScenario;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Java client of the compatibility matrix: which jars hold it (folders under {@value #JARS_PROPERTY}, filled by
 * the {@code compat-clients} execution of {@code proxy/pom.xml}), which scenario drives it, and how.
 *
 * @param name        the name in reports ({@code "zookeeper-3.4.14"}, {@code "flink-shaded-3.7.1-17.0"})
 * @param zookeeper   the release of the ZooKeeper client inside ({@code "3.4.14"})
 * @param folders     the folders of jars, relative to {@value #JARS_PROPERTY}
 * @param relocations internal-name prefixes to their relocated prefixes (Flink's shading); empty for plain clients
 * @param guava       whether the class loader needs the test class path's Guava (plain Curator)
 * @param cache       for Curator clients, the cache recipe for the leader's address: what Flink uses with it
 *                    ({@code "node"} in 1.12, {@code "tree"} from 1.15 on), {@code "node"} for plain Curator 4 and
 *                    {@code "curator"} for plain Curator 5; null for a bare ZooKeeper client
 */
record ClientUnderTest(String name, String zookeeper, List<String> folders, Map<String, String> relocations,
                       boolean guava, String cache) {
    /** The system property naming the folder of client folders (Failsafe sets it to target/old-clients). */
    static final String JARS_PROPERTY = "oldClients.dir";

    /** ZooKeeper Java client {@code release}, folder {@code <release>} (zookeeper and zookeeper-jute jars). */
    static ClientUnderTest zookeeper(String release) {
        return new ClientUnderTest("zookeeper-" + release, release, List.of(release), Map.of(), false, null);
    }

    /**
     * Flink's {@code org.apache.flink:flink-shaded-zookeeper-3:<version>}: ZooKeeper relocated under
     * {@code org.apache.flink.shaded.zookeeper3}, Curator under {@code org.apache.flink.shaded.curator<N>}.
     *
     * @param version       the artifact's version ({@code "3.4.14-12.0"}); its folder is {@code flink-shaded-<version>}
     * @param curatorMajor  4 or 5, the relocated Curator's package suffix
     */
    static ClientUnderTest flinkShaded(String version, int curatorMajor) {
        Map<String, String> relocations = new LinkedHashMap<>();
        relocations.put("org/apache/zookeeper/", "org/apache/flink/shaded/zookeeper3/org/apache/zookeeper/");
        relocations.put("org/apache/jute/", "org/apache/flink/shaded/zookeeper3/org/apache/jute/");
        relocations.put("org/apache/curator/",
                "org/apache/flink/shaded/curator" + curatorMajor + "/org/apache/curator/");
        return new ClientUnderTest("flink-shaded-" + version, version.substring(0, version.indexOf('-')),
                List.of("flink-shaded-" + version), relocations, false, curatorMajor == 4 ? "node" : "tree");
    }

    /** Plain Curator {@code curatorRelease} (folder {@code curator-<release>}) on ZooKeeper client {@code zookeeper}. */
    static ClientUnderTest curator(String curatorRelease, String zookeeper) {
        return new ClientUnderTest("curator-" + curatorRelease, zookeeper,
                List.of("curator-" + curatorRelease, zookeeper), Map.of(), true,
                curatorRelease.startsWith("4.") ? "node" : "curator");
    }

    /** @return whether a bare ZooKeeper client, driven by {@link ZooKeeperScenario} */
    boolean bare() {
        return cache == null;
    }

    /** @return the scenario class for this client */
    Class<?> driver() {
        return bare() ? ZooKeeperScenario.class : CuratorScenario.class;
    }

    /** @return whether the ZooKeeper client inside has the 3.6 requests (addWatch, multiRead, getEphemerals) */
    boolean hasNewerOps() {
        return Releases.atLeast(zookeeper, 3, 6);
    }

    /** @return a fresh class loader holding this client and the drivers */
    ClientLoader loader() {
        Path base = Path.of(System.getProperty(JARS_PROPERTY, "target/old-clients"));
        List<Path> paths = new ArrayList<>();
        for (String folder : folders) {
            paths.add(base.resolve(folder));
        }
        return ClientLoader.of(name, paths, relocations, guava, !Releases.atLeast(zookeeper, 3, 5));
    }

    @Override
    public String toString() {
        return name;
    }
}
