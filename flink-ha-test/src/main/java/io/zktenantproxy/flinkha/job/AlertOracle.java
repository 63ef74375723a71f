package io.zktenantproxy.flinkha.job;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expected output, computed in plain Java from the same {@link TransferGenerator}: group transfers by pair and
 * window, sum, keep the sums above the threshold. What the Flink job writes must equal this exactly, whatever
 * failed during the run.
 */
public final class AlertOracle {
    private AlertOracle() {
    }

    /** @return the alerts for transfers {@code 0 .. count-1}, by key */
    public static Map<Alert.Key, Alert> expected(long count) {
        Map<Alert.Key, long[]> sums = new HashMap<>();
        for (long i = 0; i < count; i++) {
            Transfer t = TransferGenerator.transfer(i);
            long[] acc = sums.computeIfAbsent(new Alert.Key(t.pair(), FraudRules.windowStart(t.eventTime())),
                    k -> new long[2]);
            acc[0] += t.amountCents();
            acc[1]++;
        }
        Map<Alert.Key, Alert> alerts = new TreeMap<>();
        long size = FraudRules.WINDOW.toMillis();
        sums.forEach((key, acc) -> {
            if (acc[0] > FraudRules.THRESHOLD_CENTS) {
                alerts.put(key, new Alert(key.pair(), key.windowStart(), key.windowStart() + size, acc[0], acc[1]));
            }
        });
        return alerts;
    }
}
