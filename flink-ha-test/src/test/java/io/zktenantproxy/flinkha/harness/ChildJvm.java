package io.zktenantproxy.flinkha.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own running {@code mainClass} from this JVM's class path (the test class path: Flink, the proxy and
 * the job's classes), its standard output and error in one log file. Stopped with SIGKILL ({@link #kill()}, what
 * {@code kill -9 pid} does) or SIGTERM ({@link #terminate()}). A JVM shutdown hook SIGKILLs every child still alive,
 * so none outlives the test's JVM even when a test is interrupted; {@link #close()} does the same for one child.
 */
public final class ChildJvm implements AutoCloseable {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final int TAIL_LINES = 60;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "child-jvm-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code jvmOptions} (e.g. {@code -Xmx256m}, {@code -Dkey=value}) and
     * {@code args}, output to {@code log} (created with its parents, appended to).
     *
     * @throws UncheckedIOException if the JVM cannot be started
     */
    public static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> args,
                                 Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            LIVE.add(p);
            return new ChildJvm(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + name, e);
        }
    }

    public String name() {
        return name;
    }

    /** @return the child's process id */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** @return the child's log file */
    public Path log() {
        return log;
    }

    /**
     * Sends SIGKILL, as {@code kill -9} does: no shutdown hook runs, no socket is closed politely, no ZooKeeper
     * session is closed (the ensemble expires it after its timeout). Waits until the process is gone (at most 30 s).
     */
    public void kill() {
        stop(process.destroyForcibly());
    }

    /** Sends SIGTERM: the JVM runs its shutdown hooks (Flink's entry points shut down gracefully). At most 60 s. */
    public void terminate() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
        LIVE.remove(process);
    }

    private void stop(Process p) {
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") still alive 30 s after SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    /** @return the last lines of the child's log, for a failure report; a note if it cannot be read */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- last lines of " + log + " (" + name + ", pid " + pid() + ", "
                    + (isAlive() ? "alive" : "exited " + process.exitValue()) + ")\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "--- " + log + " unreadable: " + e;
        }
    }

    /** SIGKILLs the child if it is still alive: nothing of a test's processes is left behind. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        LIVE.remove(process);
    }

    @Override
    public String toString() {
        return name + " (pid " + pid() + ")";
    }
}
