package io.zktenantproxy.flinkha.job;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one run of the job has produced, kept in static memory so that it survives task restarts and JobManager
 * failovers inside one JVM (the MiniClusters of the tests and the demo run in the test's JVM). One ledger per run id.
 *
 * <p>The sink writes here idempotently: an alert is keyed by pair and window, and a replay after a restore writes
 * the same key with the same value. A second write with a <em>different</em> value is recorded as a conflict,
 * which the tests treat as an invented alert.
 *
 * <p>Tasks in other JVMs (TaskManager processes) also journal to disk when {@link LedgerJournal#DIR_PROPERTY} is
 * set; the test rebuilds their ledger with {@link LedgerJournal#replay}.
 */
public final class RunLedger {
    private static final Map<String, RunLedger> LEDGERS = new ConcurrentHashMap<>();

    private final Map<Alert.Key, Alert> alerts = new ConcurrentHashMap<>();
    private final List<String> conflicts = new CopyOnWriteArrayList<>();
    private final List<Restore> restores = new CopyOnWriteArrayList<>();
    private final String runId;
    private final AtomicLong writes = new AtomicLong();

    /** One task's restore from a checkpoint. */
    public record Restore(long checkpointId, long atMillis) {
    }

    private RunLedger(String runId) {
        this.runId = runId;
    }

    /** @return a ledger registered nowhere and journaling nothing: what {@link LedgerJournal#replay} fills */
    static RunLedger detached() {
        return new RunLedger(null);
    }

    /** Orders the restores by time (journals of several processes are replayed one file after the other). */
    RunLedger sortRestores() {
        List<Restore> sorted = restores.stream().sorted(Comparator.comparingLong(Restore::atMillis))
                .toList();
        restores.clear();
        restores.addAll(sorted);
        return this;
    }

    /** @return the ledger of {@code runId}, created empty on first use */
    public static RunLedger of(String runId) {
        return LEDGERS.computeIfAbsent(runId, id -> new RunLedger(id));
    }

    /** Forgets {@code runId}'s ledger (a test's cleanup). */
    public static void discard(String runId) {
        LEDGERS.remove(runId);
    }

    void write(Alert alert) {
        writes.incrementAndGet();
        Alert previous = alerts.putIfAbsent(alert.key(), alert);
        if (previous != null && !previous.equals(alert)) {
            conflicts.add("had " + previous + ", then " + alert);
        }
        if (runId != null) {
            LedgerJournal.alert(runId, alert);
        }
    }

    void restored(long checkpointId) {
        long now = System.currentTimeMillis();
        restored(checkpointId, now);
        if (runId != null) {
            LedgerJournal.restored(runId, checkpointId, now);
        }
    }

    void restored(long checkpointId, long atMillis) {
        restores.add(new Restore(checkpointId, atMillis));
    }

    /** @return the alerts written so far, sorted by window then pair */
    public Map<Alert.Key, Alert> alerts() {
        return new TreeMap<>(alerts);
    }

    /** @return writes that disagreed with an earlier write of the same key; empty in a correct run */
    public List<String> conflicts() {
        return List.copyOf(conflicts);
    }

    /** @return every alert write, replays included (more than {@code alerts().size()} after a replay) */
    public long writes() {
        return writes.get();
    }

    /** @return the task restores seen, in order */
    public List<Restore> restores() {
        return List.copyOf(restores);
    }

    /**
     * @return the latest restore, empty if the job never restored. After a JobManager failover this is the new
     *     leader's: the old one may have restarted tasks itself while it was going down.
     */
    public Optional<Restore> lastRestore() {
        List<Restore> r = restores();
        return r.isEmpty() ? Optional.empty() : Optional.of(r.get(r.size() - 1));
    }
}
