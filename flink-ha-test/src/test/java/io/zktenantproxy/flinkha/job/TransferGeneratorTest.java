package io.zktenantproxy.flinkha.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransferGeneratorTest {
    @Test
    void sameSequenceSameTransfer() {
        for (long i = 0; i < 1_000; i++) {
            assertThat(new TransferGenerator().map(i)).isEqualTo(TransferGenerator.transfer(i));
        }
    }

    @Test
    void amountsInRangeAndEventTimeGrows() {
        long previous = Long.MIN_VALUE;
        for (long i = 0; i < 10_000; i++) {
            Transfer t = TransferGenerator.transfer(i);
            assertThat(t.amountCents()).isBetween(100L, 90_000L);
            assertThat(t.from()).isNotEqualTo(t.to());
            assertThat(t.eventTime()).isGreaterThan(previous);
            previous = t.eventTime();
        }
    }
}
