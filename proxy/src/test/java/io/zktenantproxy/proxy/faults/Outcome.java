package io.zktenantproxy.proxy.faults;

import org.apache.zookeeper.KeeperException;

/**
 * What a client knows of one operation it sent: acknowledged, refused (certainly not applied), or unknown (the
 * connection or session ended before the reply, so it may or may not have been applied; the checker resolves it by
 * reading afterwards), as Jepsen's histories say {@code :ok}, {@code :fail} and {@code :info}.
 */
enum Outcome {
    ACKED, FAILED, UNKNOWN;

    /**
     * @return {@link #UNKNOWN} for the errors that do not say whether the request was applied (connection loss,
     *     session expiry or moved, operation or request timeout, a client interrupted while waiting), {@link #FAILED}
     *     for every other ZooKeeper error code (the ensemble refused it: bad version, no node, node exists...)
     */
    static Outcome of(Throwable error) {
        if (error instanceof KeeperException e) {
            return switch (e.code()) {
                case CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED, OPERATIONTIMEOUT, REQUESTTIMEOUT -> UNKNOWN;
                default -> FAILED;
            };
        }
        return UNKNOWN;
    }
}
