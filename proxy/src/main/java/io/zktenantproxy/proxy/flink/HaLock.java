package io.zktenantproxy.proxy.flink;

/**
 * A lock on a Flink state handle (a submitted job's plan, a completed checkpoint's pointer, an application): an
 * ephemeral znode {@code <handle>/locks/<uuid>} (1.15 and later; {@code <handle>/<uuid>} in 1.12 to 1.14) that the
 * JobManager holding the handle created ({@code ZooKeeperStateHandleStore}). ZooKeeper deletes an ephemeral znode
 * when its session ends, so a lock seen by a scan was held by a live session at that moment; a handle with no lock
 * is one no JobManager holds (Flink may then delete it).
 *
 * @param name      the lock znode's name (a UUID per Flink process)
 * @param session   the owning session id, {@code 0x...}; null if the znode is not ephemeral (not what Flink writes)
 * @param contender whether that session is also a contender of one of the cluster's leader latches (a JobManager of
 *                  this cluster that is still in the election)
 */
public record HaLock(String name, String session, boolean contender) {
}
