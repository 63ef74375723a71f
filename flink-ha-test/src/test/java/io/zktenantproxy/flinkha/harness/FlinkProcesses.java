package io.zktenantproxy.flinkha.harness;

import io.zktenantproxy.flinkha.job.LedgerJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Flink cluster deployed as processes, as a platform runs it: each JobManager a
 * {@code StandaloneSessionClusterEntrypoint} JVM, each TaskManager a {@code TaskManagerRunner} JVM (the main classes
 * Flink's {@code jobmanager.sh} and {@code taskmanager.sh} start), on the test class path, configured by a
 * {@code config.yaml} in a config directory of its own plus {@code -D key=value} dynamic properties (the scripts'
 * way). ZooKeeper HA as {@link FlinkHa} says, per process: each process may use its own quorum (a sidecar proxy).
 *
 * <p>Files under {@code dir}: {@code conf/config.yaml}, {@code logs/<process>.log} (each process's output),
 * {@code ledger/} (the TaskManagers' {@link LedgerJournal}s). Processes are killed, never stopped politely, by
 * {@link #close()}: a graceful stop is a scenario of its own ({@link ChildJvm#terminate()}).
 */
public final class FlinkProcesses implements AutoCloseable {
    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private final Path dir;
    private final List<ChildJvm> processes = new ArrayList<>();

    /**
     * @param dir where the cluster's configuration, logs and journals go (e.g. under {@code target/}); created
     * @throws UncheckedIOException if it cannot be written
     */
    public FlinkProcesses(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir.resolve("conf"));
            Files.createDirectories(ledgerDir());
            // The entry points insist on a configuration file; everything else comes as dynamic properties.
            Files.writeString(dir.resolve("conf/config.yaml"), "parallelism.default: 1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JobManager process and the REST port it serves on (loopback). */
    public record JobManager(ChildJvm jvm, int restPort) {
    }

    /** @return the directory TaskManagers journal the run's alerts and restores to */
    public Path ledgerDir() {
        return dir.resolve("ledger");
    }

    /**
     * Starts a JobManager (returns at once; it runs for leadership once up).
     *
     * @param name a name unique in this cluster, for its log file {@code logs/<name>.log}
     * @param ha   its HA settings (its quorum: the proxy replica(s) it uses, or ZooKeeper itself)
     */
    public JobManager startJobManager(String name, FlinkHa ha) {
        int restPort = Proxies.freeAddress().getPort();
        Map<String, String> settings = new LinkedHashMap<>(ha.toMap());
        settings.put("jobmanager.rpc.address", "127.0.0.1");
        settings.put("jobmanager.bind-host", "127.0.0.1");
        settings.put("rest.address", "127.0.0.1");
        settings.put("rest.bind-address", "127.0.0.1");
        settings.put("rest.port", Integer.toString(restPort));
        heartbeats(settings);
        ChildJvm jvm = start(name, List.of("-Xmx384m"), JOB_MANAGER_MAIN, settings);
        return new JobManager(jvm, restPort);
    }

    /**
     * Starts a TaskManager with 2 slots (returns at once; it registers with whichever ResourceManager leads).
     *
     * @param name a name unique in this cluster, for its log file
     * @param ha   its HA settings
     */
    public ChildJvm startTaskManager(String name, FlinkHa ha) {
        Map<String, String> settings = new LinkedHashMap<>(ha.toMap());
        settings.put("taskmanager.host", "127.0.0.1");
        settings.put("taskmanager.bind-host", "127.0.0.1");
        settings.put("taskmanager.numberOfTaskSlots", "2");
        // What taskmanager.sh computes from taskmanager.memory.process.size (BashJavaUtils) and passes as dynamic
        // properties; TaskManagerRunner refuses to start without each of them. Sized for a 2-core test machine.
        settings.put("taskmanager.cpu.cores", "2");
        settings.put("taskmanager.memory.framework.heap.size", "64m");
        settings.put("taskmanager.memory.framework.off-heap.size", "64m");
        settings.put("taskmanager.memory.task.heap.size", "128m");
        settings.put("taskmanager.memory.task.off-heap.size", "0m");
        settings.put("taskmanager.memory.network.min", "32m");
        settings.put("taskmanager.memory.network.max", "32m");
        settings.put("taskmanager.memory.managed.size", "32m");
        settings.put("taskmanager.memory.jvm-metaspace.size", "128m");
        settings.put("taskmanager.memory.jvm-overhead.min", "64m");
        settings.put("taskmanager.memory.jvm-overhead.max", "64m");
        heartbeats(settings);
        return start(name, List.of("-Xmx256m", "-D" + LedgerJournal.DIR_PROPERTY + "=" + ledgerDir()),
                TASK_MANAGER_MAIN, settings);
    }

    /**
     * Heartbeats between JobManager and TaskManagers: a killed peer on another host is noticed only when its
     * heartbeats stop, after {@code heartbeat.timeout} (default 50 s); 10 s keeps a lost node's slots from
     * blocking the recovery for longer than the ZooKeeper session does. On one host the kernel resets the killed
     * process's connections, and Flink notices sooner.
     */
    private static void heartbeats(Map<String, String> settings) {
        settings.put("heartbeat.interval", "2000");
        settings.put("heartbeat.timeout", "10000");
    }

    private ChildJvm start(String name, List<String> jvmOptions, String mainClass, Map<String, String> settings) {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-Dlogback.configurationFile=" + childLogConfig());
        List<String> args = new ArrayList<>(List.of("--configDir", dir.resolve("conf").toString()));
        settings.forEach((key, value) -> {
            args.add("-D");
            args.add(key + "=" + value);
        });
        ChildJvm jvm = ChildJvm.start(name, options, mainClass, args, dir.resolve("logs/" + name + ".log"));
        processes.add(jvm);
        return jvm;
    }

    static String childLogConfig() {
        URL url = FlinkProcesses.class.getResource("/logback-child.xml");
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url.toString(), e);
        }
    }

    /** SIGKILLs every JobManager and TaskManager still alive, all at once (a whole cluster lost). */
    public void killAll() {
        processes.stream().filter(ChildJvm::isAlive).forEach(ChildJvm::kill);
    }

    /** @return the last lines of every process's log: what a failed test prints */
    public String tails() {
        StringBuilder out = new StringBuilder();
        processes.forEach(p -> out.append(p.tail()).append('\n'));
        return out.toString();
    }

    /** {@link #killAll()}: a test leaves no Flink process behind. */
    @Override
    public void close() {
        processes.forEach(ChildJvm::close);
    }
}
