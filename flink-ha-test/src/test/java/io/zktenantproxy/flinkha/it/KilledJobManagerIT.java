package io.zktenantproxy.flinkha.it;

import io.zktenantproxy.flinkha.harness.FlinkRoute;
import io.zktenantproxy.flinkha.harness.JobManagerCrash;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JobManagers as processes, the leader crashed for real ({@link JobManagerCrash}): by default SIGKILL of the leading
 * JobManager, and SIGKILL of a whole node (JobManager and its proxy replica), both through the proxy. The system
 * property {@code flinkha.crash.cases} (comma-separated {@code KIND:ROUTE}, e.g. {@code TERM:DIRECT}) chooses
 * others; the pom's {@code crash-times} profile runs every kind through the proxy and directly.
 */
class KilledJobManagerIT {
    static Stream<Arguments> cases() {
        String cases = System.getProperty("flinkha.crash.cases", "KILL:PROXY,NODE_LOSS:PROXY");
        return Arrays.stream(cases.split(",")).map(String::trim).filter(c -> !c.isEmpty()).map(c -> {
            String[] kindRoute = c.toUpperCase(Locale.ROOT).split(":");
            return Arguments.of(JobManagerCrash.Crash.valueOf(kindRoute[0]), FlinkRoute.Kind.valueOf(kindRoute[1]));
        });
    }

    @ParameterizedTest(name = "{0} via {1}")
    @MethodSource("cases")
    void standbyTakesOverAndRestoresNewestCheckpoint(JobManagerCrash.Crash kind, FlinkRoute.Kind route)
            throws Exception {
        JobManagerCrash.run(kind, route, Path.of("target", "flink-crash",
                kind.label() + "-" + route.name().toLowerCase(Locale.ROOT) + "-" + System.currentTimeMillis())
                .toAbsolutePath());
    }
}
