package io.zktenantproxy.proxy.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of the fault-injection suite (a ZooKeeper server or a proxy replica) that can be killed as a machine dies
 * ({@code SIGKILL}), frozen ({@code SIGSTOP}) and thawed ({@code SIGCONT}), and started again with the same command.
 * Its output is appended to one log file across restarts; a shutdown hook kills whatever is still running when the
 * test JVM ends, so no child outlives the run.
 */
final class ChildJvm implements AutoCloseable {
    private static final int LOG_TAIL_LINES = 30;

    private final String name;
    private final List<String> command;
    private final Path log;
    private final Thread reaper;
    private volatile Process process;

    /**
     * @param name the child's name in logs and reports ({@code "zk-2"}, {@code "proxy-1"})
     * @param jvmArgs options before the main class or {@code -jar}
     * @param mainAndArgs the main class and its arguments, or {@code -jar FILE} and its arguments
     */
    ChildJvm(String name, List<String> jvmArgs, List<String> mainAndArgs, Path log) {
        this.name = name;
        this.log = log;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(mainAndArgs);
        this.command = List.copyOf(cmd);
        this.reaper = new Thread(() -> {
            Process p = process;
            if (p != null) {
                p.destroyForcibly();
            }
        }, name + "-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts the JVM; it must not be running. */
    void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        Files.createDirectories(log.getParent());
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /** {@code kill -9}: the JVM ends at once, no shutdown hook runs, its sockets are reset by the kernel. */
    void kill() throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** {@code kill -STOP}: every thread stops; the kernel keeps its sockets open and accepts on its listeners. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** {@code kill -CONT} after {@link #freeze}. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** @return whether the JVM runs (a frozen one does) */
    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    String name() {
        return name;
    }

    /** @return the last lines of the log, for a failure message */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "last lines of " + log + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "its log " + log + " is unreadable: " + e;
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + signal + " " + p.pid() + " (" + name + ") exited with " + exit);
        }
    }

    /** Thaws (a frozen JVM ignores SIGTERM until then) and kills the JVM. */
    @Override
    public void close() {
        try {
            thaw();
            kill();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }
}
