package io.zktenantproxy.flinkha.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a TaskManager process journals is what the test's JVM replays: alerts, conflicts and restores. */
class LedgerJournalTest {
    @TempDir
    Path dir;

    private final String runId = "journal-" + UUID.randomUUID();

    @AfterEach
    void forget() {
        System.clearProperty(LedgerJournal.DIR_PROPERTY);
        RunLedger.discard(runId);
    }

    @Test
    void replayRebuildsAlertsConflictsAndRestores() {
        System.setProperty(LedgerJournal.DIR_PROPERTY, dir.toString());
        RunLedger ledger = RunLedger.of(runId);
        Alert a = new Alert("ACC-1001->ACC-2002", 0, 10_000, 1_000_001, 21);
        Alert b = new Alert("ACC-2002->ACC-4004", 10_000, 20_000, 1_200_000, 19);
        ledger.write(a);
        ledger.restored(7);
        ledger.write(a); // a replay after the restore: same key, same value
        ledger.write(b);
        ledger.write(new Alert(b.pair(), b.windowStart(), b.windowEnd(), 1, 1)); // an invented value

        RunLedger replayed = LedgerJournal.replay(dir, runId);
        assertThat(replayed.alerts()).isEqualTo(ledger.alerts()).hasSize(2);
        assertThat(replayed.conflicts()).hasSize(1);
        assertThat(replayed.writes()).isEqualTo(4);
        assertThat(replayed.restores()).isEqualTo(ledger.restores());
        assertThat(replayed.lastRestore().orElseThrow().checkpointId()).isEqualTo(7);
        assertThat(LedgerJournal.replay(dir, "another-run").alerts()).isEmpty();
    }

    @Test
    void withoutTheDirectoryNothingIsJournaled() throws Exception {
        RunLedger.of(runId).write(new Alert("ACC-1001->ACC-2002", 0, 10_000, 1_000_001, 21));
        try (var files = Files.list(dir)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void aLineOfNeitherFormIsRefused() throws Exception {
        Files.write(dir.resolve(runId + ".1.journal"), List.of("A too few fields"));
        assertThatThrownBy(() -> LedgerJournal.replay(dir, runId)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a journal line");
    }
}
