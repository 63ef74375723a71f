package io.zktenantproxy.flinkha.harness;

/**
 * A Flink leader as Flink itself advertises it, to compare with the proxy's view of the same leader znode.
 *
 * @param address   the leader's address, e.g. {@code pekko.tcp://flink@127.0.0.1:41234/user/rpc/dispatcher_1}
 * @param sessionId the leader session id, a canonical UUID
 */
public record AdvertisedLeader(String address, String sessionId) {
}
