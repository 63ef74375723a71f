package io.zktenantproxy.proxy.flink;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A tenant's Flink HA state, as one bounded scan of its tree found it ({@link FlinkHaScanner#scan}). Every path is
 * the tenant's own (without the chroot).
 *
 * @param scannedAt  when the scan started, milliseconds since the epoch; ages are measured from here
 * @param roots      the HA roots looked under, e.g. {@code [/flink]}, plus each top-level znode when discovery is on
 * @param clusters   the clusters found, by path
 * @param nodes      znodes the scan discovered (its node bound counts these)
 * @param incomplete why the scan stopped before reading everything it meant to (node bound, time bound), one line;
 *                   null when complete. An incomplete view shows what was read; no cluster in it is called orphaned
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FlinkView(long scannedAt, List<String> roots, List<FlinkCluster> clusters, long nodes,
                        String incomplete) {

    /** @return whether the scan read everything it meant to */
    public boolean complete() {
        return incomplete == null;
    }
}
