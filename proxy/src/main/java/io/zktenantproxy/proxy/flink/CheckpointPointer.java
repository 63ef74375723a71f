package io.zktenantproxy.proxy.flink;

import java.util.List;

/**
 * A completed checkpoint's pointer: the znode {@code jobs/<job>/checkpoints/<19-digit id>} (1.15 and later;
 * {@code checkpoints/<job>/<id>} in 1.12-1.13) holding a handle to the checkpoint's metadata in the HA storage
 * directory. Flink adds it when the checkpoint completes, so its ctime is when the checkpoint was committed.
 *
 * @param path  the pointer's tenant path
 * @param id    the checkpoint id (from the znode name, {@code ZooKeeperCheckpointStoreUtil.nameToCheckpointID})
 * @param ctime when the pointer was written, milliseconds since the epoch
 * @param locks the JobManagers holding it ({@link HaLock})
 */
public record CheckpointPointer(String path, long id, long ctime, List<HaLock> locks) {
}
