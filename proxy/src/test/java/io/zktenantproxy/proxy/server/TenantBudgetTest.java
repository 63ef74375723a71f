package io.zktenantproxy.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.bucket4j.TimeMeter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The token-bucket arithmetic of {@link TenantBudget}, on a clock the test moves. */
class TenantBudgetTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A clock that stands still until told to move. */
    private static final class ManualClock implements TimeMeter {
        long nanos;

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    @Test
    void aBurstOfOneSecondGoesAtOnceThenFramesArePacedAtTheRate() {
        ManualClock clock = new ManualClock();
        TenantBudget budget = TenantBudget.of(100, 0, clock);
        for (int i = 0; i < 100; i++) {
            assertEquals(0, budget.admit(40), "frame " + i + " is within the burst");
        }
        // each further frame books the next free slot, 10 ms apart
        assertEquals(10 * MS, budget.admit(40));
        assertEquals(20 * MS, budget.admit(40));
        assertEquals(30 * MS, budget.admit(40));
        // time passes: the debt is paid back at the rate and the waits shrink with it
        clock.nanos += 25 * MS;
        assertEquals(15 * MS, budget.admit(40));
        clock.nanos += 1_000 * MS;
        // a refilled bucket holds at most one second's worth
        for (int i = 0; i < 100; i++) {
            budget.admit(40);
        }
        assertTrue(budget.admit(40) > 0, "the burst is capped at one second's worth");
    }

    @Test
    void bytesArePacedByTheLargerOfTheTwoWaits() {
        ManualClock clock = new ManualClock();
        TenantBudget budget = TenantBudget.of(1_000, 1_000_000, clock);
        assertEquals(0, budget.admit(1_000_000));
        // the request budget has room, the byte budget is spent: a 500 kB frame waits half a second
        assertEquals(500 * MS, budget.admit(500_000));
    }

    @Test
    void replyBytesDelayTheNextRequestNotTheReply() {
        ManualClock clock = new ManualClock();
        TenantBudget budget = TenantBudget.of(0, 1_000_000, clock);
        budget.charge(1_500_000);
        assertEquals(500 * MS + 100_000, budget.admit(100), "waits for the reply's debt and its own bytes");
    }

    @Test
    void zeroMeansNoBudget() {
        TenantBudget none = TenantBudget.of(0, 0);
        assertTrue(none.unlimited());
        for (int i = 0; i < 1_000_000; i++) {
            assertEquals(0, none.admit(1 << 20));
        }
        TenantBudget requestsOnly = TenantBudget.of(10, 0, new ManualClock());
        for (int i = 0; i < 10; i++) {
            assertEquals(0, requestsOnly.admit(1 << 20), "bytes are not counted when only requests are budgeted");
        }
    }

    @Test
    void aReloadChangesTheRateOfTheSameBudget() {
        ManualClock clock = new ManualClock();
        TenantBudget budget = TenantBudget.of(10, 0, clock);
        for (int i = 0; i < 10; i++) {
            assertEquals(0, budget.admit(100));
        }
        assertTrue(budget.admit(100) > 0, "the 11th frame in the second waits");
        budget.update(1_000, 0);
        for (int i = 0; i < 1_000; i++) {
            assertEquals(0, budget.admit(100), "a raised budget starts with a full second's worth");
        }
        budget.update(0, 0);
        assertTrue(budget.unlimited());
        assertEquals(0, budget.admit(1 << 20));
    }
}
