package io.zktenantproxy.flinkha.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertOracleTest {
    private static final long COUNT = 3_000;

    /** Golden values: a change to the generator or the rule shows here before it confuses a failover test. */
    @Test
    void knownInputKnownAlerts() {
        Map<Alert.Key, Alert> alerts = AlertOracle.expected(COUNT);
        assertThat(alerts).hasSize(50);
        assertThat(alerts.values().iterator().next())
                .isEqualTo(new Alert("ACC-1001->ACC-2002", FraudRules.EPOCH_MILLIS, FraudRules.EPOCH_MILLIS + 10_000,
                        1_217_446, 26));
    }

    @Test
    void everyAlertIsAboveThresholdAndAddsUp() {
        for (Alert alert : AlertOracle.expected(COUNT).values()) {
            assertThat(alert.sumCents()).isGreaterThan(FraudRules.THRESHOLD_CENTS);
            long sum = 0;
            long n = 0;
            for (long i = 0; i < COUNT; i++) {
                Transfer t = TransferGenerator.transfer(i);
                if (t.pair().equals(alert.pair()) && t.eventTime() >= alert.windowStart()
                        && t.eventTime() < alert.windowEnd()) {
                    sum += t.amountCents();
                    n++;
                }
            }
            assertThat(alert.sumCents()).isEqualTo(sum);
            assertThat(alert.transfers()).isEqualTo(n);
        }
    }
}
