package io.zktenantproxy.proxy.flink;

/**
 * Which Flink wrote a cluster's HA znodes, told apart by the names below {@code <root>/<cluster-id>} (each Flink
 * creates its store znodes at start-up, empty or not, so the names are there before any job is).
 */
public enum HaLayout {
    /**
     * Flink 1.12 (and 1.13): a latch per component under {@code leaderlatch/<component>_lock}, the leader information
     * directly in {@code leader/<component>_lock} (a job's in {@code leader/<job>/job_manager_lock}),
     * {@code jobgraphs},
     * {@code checkpoints/<job>/<id>}, {@code checkpoint-counter/<job>}, {@code running_job_registry}; locks are direct
     * children of a handle. ({@code ZooKeeperHaServices}, {@code HighAvailabilityOptions} of 1.12.7.)
     */
    FLINK_1_12,
    /**
     * Flink 1.14, and 1.15-1.16 with {@code high-availability.use-old-ha-services}: a latch per component,
     * {@code leader/<component>/latch} beside {@code leader/<component>/connection_info} (a job's under
     * {@code jobs/<job>/leader}), {@code jobs/<job>/checkpoints} and {@code checkpoint_id_counter} as in
     * {@link #FLINK_1_15}; in 1.14 locks are direct children of a handle. ({@code ZooKeeperHaServices} of 1.14.6 and
     * 1.15.4.)
     */
    FLINK_1_14,
    /**
     * Flink 1.15 to 1.20: one latch {@code leader/latch}, {@code leader/<component>/connection_info} for
     * {@code resource_manager}, {@code dispatcher}, {@code rest_server} and each job id, {@code jobgraphs/<job>},
     * {@code jobs/<job>/checkpoints/<id>} and {@code jobs/<job>/checkpoint_id_counter}; locks under {@code locks}.
     */
    FLINK_1_15,
    /** Flink 2.0 to 2.2: as {@link #FLINK_1_15}, with {@code execution-plans} for {@code jobgraphs}. */
    FLINK_2_0,
    /** Flink 2.3: as {@link #FLINK_2_0}, plus {@code applications/<application>}. */
    FLINK_2_3,
    /** Flink-like names, but none of the above: shown as raw znodes. */
    UNKNOWN
}
