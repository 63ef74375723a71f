package io.zktenantproxy.proxy.flink;

/**
 * The znode names of Flink's ZooKeeper HA layout, and the small values it keeps in them, each with the Flink or Curator
 * source it mirrors. Every parser returns null (never throws) for a name or value that is not what they write.
 */
final class FlinkZnodes {
    /** Default {@code high-availability.zookeeper.path.root}. */
    static final String DEFAULT_ROOT = "/flink";

    /** 1.15+ ({@code ZooKeeperUtils.LEADER_NODE}); in 1.12-1.13 {@code high-availability.zookeeper.path.leader}. */
    static final String LEADER = "leader";
    /** 1.15+: the one LeaderLatch of all components, {@code leader/latch} ({@code ZooKeeperUtils}). */
    static final String LATCH = "latch";
    /** 1.15+: {@code leader/<component>/connection_info}, ephemeral, the leader's address and session id. */
    static final String CONNECTION_INFO = "connection_info";
    /** 1.12-1.13: {@code high-availability.zookeeper.path.latch}, a LeaderLatch per component below it. */
    static final String LEADER_LATCH_1_12 = "leaderlatch";
    /** 1.12-1.13: leader and latch znode names end in {@code _lock} ({@code ZooKeeperHaServices}). */
    static final String LOCK_SUFFIX_1_12 = "_lock";
    /** 1.12-1.13: a job's JobMaster leader, {@code leader/<job>/job_manager_lock}. */
    static final String JOB_MANAGER_LOCK_1_12 = "job_manager_lock";

    /** Submitted jobs, {@code high-availability.zookeeper.path.jobgraphs} (1.x). */
    static final String JOBGRAPHS = "jobgraphs";
    /** Submitted jobs, {@code high-availability.zookeeper.path.execution-plans} (2.x). */
    static final String EXECUTION_PLANS = "execution-plans";
    /** Applications, {@code high-availability.zookeeper.path.applications} (2.3). */
    static final String APPLICATIONS = "applications";
    /** 1.15+: per job {@code jobs/<job>/checkpoints/<id>} and {@code jobs/<job>/checkpoint_id_counter}. */
    static final String JOBS = "jobs";
    static final String CHECKPOINTS = "checkpoints";
    static final String CHECKPOINT_ID_COUNTER = "checkpoint_id_counter";
    /** 1.12-1.13: {@code checkpoint-counter/<job>} beside {@code checkpoints/<job>/<id>}. */
    static final String CHECKPOINT_COUNTER_1_12 = "checkpoint-counter";
    /** 1.15+: a state handle's locks are {@code <handle>/locks/<uuid>} (1.12-1.14: {@code <handle>/<uuid>}). */
    static final String LOCKS = "locks";

    /** The component names Flink gives its leader elections; other names under {@code leader} are job ids. */
    static final java.util.Set<String> COMPONENTS = java.util.Set.of("resource_manager", "dispatcher", "rest_server");

    private FlinkZnodes() {
    }

    /**
     * A checkpoint pointer's name: {@code String.format("%019d", id)} ({@code ZooKeeperCheckpointStoreUtil
     * .checkpointIDToName}, the same 1.12 to 2.3).
     *
     * @return the checkpoint id, or null if the name is not 19 decimal digits
     */
    static Long checkpointId(String name) {
        if (name.length() != 19) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return null;
            }
        }
        try {
            return Long.parseLong(name);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A Curator {@code SharedCount} value, which Flink's {@code ZooKeeperCheckpointIDCounter} uses: four bytes,
     * big-endian ({@code SharedCount.toBytes}, {@code ByteBuffer.putInt}). Flink stores the next id to hand out.
     *
     * @return the count, or null unless {@code data} is exactly four bytes
     */
    static Long sharedCount(byte[] data) {
        if (data == null || data.length != 4) {
            return null;
        }
        return (long) (((data[0] & 0xff) << 24) | ((data[1] & 0xff) << 16) | ((data[2] & 0xff) << 8)
                | (data[3] & 0xff));
    }

    /**
     * A Curator {@code LeaderLatch} participant's name: {@code latch-} and a 10-digit sequence, with the protection
     * prefix {@code _c_<uuid>-} ({@code LeaderLatch.LOCK_NAME}; participants are ordered by the part after
     * {@code latch-}, {@code LockInternals.getSortedChildren}, and the first is the leader).
     *
     * @return the sequence number, or null if the name is not a latch participant's
     */
    static Long latchSequence(String name) {
        int at = name.lastIndexOf("latch-");
        if (at < 0 || at + 6 >= name.length() || name.length() - at - 6 > 10) {
            return null;
        }
        long value = 0;
        for (int i = at + 6; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** @return whether {@code name} is a Flink JobID or ApplicationID: 32 lower-case hex digits */
    static boolean isHexId(String name) {
        if (name.length() != 32) {
            return false;
        }
        for (int i = 0; i < 32; i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
