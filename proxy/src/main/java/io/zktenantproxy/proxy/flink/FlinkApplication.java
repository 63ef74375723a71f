package io.zktenantproxy.proxy.flink;

/**
 * A Flink 2.3 application ({@code applications/<application id>}, {@code ZooKeeperApplicationStoreUtil}).
 *
 * @param applicationId the ApplicationID, as the znode is named (32 hex digits)
 * @param handle        its znode and locks
 */
public record FlinkApplication(String applicationId, StateHandle handle) {
}
