package io.zktenantproxy.flinkha.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * A {@link RunLedger} kept on disk as well, for runs whose tasks live in other JVMs (TaskManagers started as
 * processes, killed with SIGKILL): the test's JVM cannot see their memory, so each TaskManager appends what its
 * tasks record to a journal file of its own, {@code <dir>/<runId>.<pid>.journal}, and the test replays every file.
 *
 * <p>Enabled in a JVM by the system property {@value #DIR_PROPERTY} (a directory). One line per event, written with
 * one {@code write} call on a file opened for append, so a SIGKILL loses nothing already written (the data is in the
 * kernel's page cache) and lines of concurrent tasks never interleave:
 * <pre>
 * A &lt;pair&gt; &lt;windowStart&gt; &lt;windowEnd&gt; &lt;sumCents&gt; &lt;transfers&gt;  an alert the sink wrote
 * R &lt;checkpointId&gt; &lt;epochMillis&gt;                               a task restored from a checkpoint
 * </pre>
 */
public final class LedgerJournal {
    /** The system property naming the journal directory; unset, nothing is journaled. */
    public static final String DIR_PROPERTY = "flinkha.ledger.dir";

    private LedgerJournal() {
    }

    static void alert(String runId, Alert a) {
        append(runId, "A " + a.pair() + " " + a.windowStart() + " " + a.windowEnd() + " " + a.sumCents() + " "
                + a.transfers());
    }

    static void restored(String runId, long checkpointId, long atMillis) {
        append(runId, "R " + checkpointId + " " + atMillis);
    }

    private static void append(String runId, String line) {
        String dir = System.getProperty(DIR_PROPERTY);
        if (dir == null) {
            return;
        }
        Path file = Path.of(dir, runId + "." + ProcessHandle.current().pid() + ".journal");
        try {
            Files.write(file, (line + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // The sink must not pretend an alert was written: fail the task, Flink replays from the checkpoint.
            throw new UncheckedIOException("journal " + file, e);
        }
    }

    /**
     * Rebuilds the ledger of {@code runId} from every journal under {@code dir}, restores ordered by time.
     *
     * @return a new ledger, not registered under {@code runId} in this JVM; empty if no journal exists
     * @throws UncheckedIOException if a journal cannot be read
     * @throws IllegalStateException if a line is not one of the two forms above
     */
    public static RunLedger replay(Path dir, String runId) {
        RunLedger ledger = RunLedger.detached();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(runId + ".")).toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    replayLine(ledger, file, line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("journals of " + runId + " in " + dir, e);
        }
        return ledger.sortRestores();
    }

    private static void replayLine(RunLedger ledger, Path file, String line) {
        List<String> f = List.of(line.split(" "));
        if (f.get(0).equals("A") && f.size() == 6) {
            ledger.write(new Alert(f.get(1), Long.parseLong(f.get(2)), Long.parseLong(f.get(3)),
                    Long.parseLong(f.get(4)), Long.parseLong(f.get(5))));
        } else if (f.get(0).equals("R") && f.size() == 3) {
            ledger.restored(Long.parseLong(f.get(1)), Long.parseLong(f.get(2)));
        } else if (!line.isEmpty()) {
            throw new IllegalStateException(file + ": not a journal line: " + line);
        }
    }
}
