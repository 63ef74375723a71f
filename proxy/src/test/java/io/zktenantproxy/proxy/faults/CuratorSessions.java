package io.zktenantproxy.proxy.faults;

import java.util.concurrent.TimeUnit;
import org.apache.curator.RetryPolicy;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;

/** Curator clients of the workloads, with {@link TenantSession}'s session timeout. */
final class CuratorSessions {
    private static final int CONNECTION_TIMEOUT_MS = 15_000;

    private CuratorSessions() {
    }

    /**
     * Starts a client of {@code connectString} and waits until it is connected.
     *
     * @param retry what Curator does on connection loss; {@code new RetryNTimes(0, 0)} makes every loss reach the
     *     workload, which then records the operation as unknown instead of sending it again
     * @throws IllegalStateException if it does not connect within 90 s
     */
    static CuratorFramework start(String connectString, RetryPolicy retry) throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(TenantSession.SESSION_TIMEOUT_MS)
                .connectionTimeoutMs(CONNECTION_TIMEOUT_MS)
                .retryPolicy(retry)
                .build();
        client.start();
        if (!client.blockUntilConnected(90, TimeUnit.SECONDS)) {
            client.close();
            throw new IllegalStateException("Curator did not connect through " + connectString + " within 90 s");
        }
        return client;
    }
}
