package io.zktenantproxy.flinkha.it;

import io.zktenantproxy.flinkha.harness.ClusterRedeploy;
import io.zktenantproxy.flinkha.harness.FlinkRoute;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole Flink cluster SIGKILLed and deployed again with the same cluster id through another proxy replica; the
 * job comes back from ZooKeeper and resumes from its newest checkpoint while a second tenant with the same cluster id
 * runs on untouched ({@link ClusterRedeploy}). Through the proxy by default; the system property
 * {@code flinkha.redeploy.routes} (e.g. {@code PROXY,DIRECT}, set by the pom's {@code crash-times} profile) adds the
 * same redeploy straight against ZooKeeper.
 */
class ClusterRedeployIT {
    static Stream<FlinkRoute.Kind> routes() {
        return Arrays.stream(System.getProperty("flinkha.redeploy.routes", "PROXY").split(","))
                .map(String::trim).filter(r -> !r.isEmpty())
                .map(r -> FlinkRoute.Kind.valueOf(r.toUpperCase(Locale.ROOT)));
    }

    @ParameterizedTest(name = "via {0}")
    @MethodSource("routes")
    void jobComesBackFromZooKeeperAfterTheWholeClusterIsLost(FlinkRoute.Kind route) throws Exception {
        ClusterRedeploy.run(route, Path.of("target", "flink-crash",
                "redeploy-" + route.name().toLowerCase(Locale.ROOT) + "-" + System.currentTimeMillis())
                .toAbsolutePath());
    }
}
