package io.zktenantproxy.proxy.flink;

import java.util.List;

/**
 * A submitted job's plan or an application: a znode ({@code execution-plans/<job>} in 2.x, {@code jobgraphs/<job>} in
 * 1.x, {@code applications/<application>} in 2.3) holding a handle to the serialized plan in the HA storage directory.
 *
 * @param path  the znode's tenant path
 * @param ctime when it was first written (the job's or application's submission), milliseconds since the epoch
 * @param mtime when it was last rewritten, milliseconds since the epoch
 * @param locks the JobManagers holding it ({@link HaLock})
 */
public record StateHandle(String path, long ctime, long mtime, List<HaLock> locks) {
}
