package io.zktenantproxy.proxy.flink;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The leader of one Flink component of a cluster: the resource manager, the dispatcher, the REST endpoint, or a job's
 * JobMaster.
 *
 * @param component     {@code resource_manager}, {@code dispatcher}, {@code rest_server}, {@code job_manager} (with
 *                      {@link #jobId}), or the znode name as found for a name Flink does not use
 * @param jobId         the job of a {@code job_manager}; else null
 * @param infoPath      the tenant path of the znode holding the leader information
 *                      ({@code leader/<component>/connection_info}; {@code leader/<component>_lock} in 1.12-1.13);
 *                      null when it does not exist
 * @param info          that znode's leader information; null when the znode does not exist or could not be read
 *                      (then {@link #problem} says why)
 * @param infoSession   the session owning that (ephemeral) znode, {@code 0x...}; null if none
 * @param infoWritten   when that znode's data was last written (its mtime), milliseconds since the epoch; null if none
 * @param latch         the election this component's leader won (shared by all components from Flink 1.15 on)
 * @param since         a lower bound of when the current leader started leading, milliseconds since the epoch: the
 *                      latest of the holder's latch znode ctime and, if the holder's session owns it, the leader
 *                      znode's ctime; null without a holder
 * @param problem       why the leader znode could not be read (permission, size); else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ComponentLeader(String component, String jobId, String infoPath, LeaderInfo info, String infoSession,
                              Long infoWritten, Latch latch, Long since, String problem) {
}
