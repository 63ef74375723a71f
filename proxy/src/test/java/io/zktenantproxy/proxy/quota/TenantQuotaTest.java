package io.zktenantproxy.proxy.quota;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.QuotaCharge;
import io.zktenantproxy.protocol.ZnodeQuota;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.proxy.config.QuotaLimits;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.CreateRequest;
import org.junit.jupiter.api.Test;

class TenantQuotaTest {

    /** A source whose counts are in before the caller can attach to them, as a fast or failing count can be. */
    private static final class ImmediateSource implements UsageSource {
        @Override
        public CompletableFuture<Void> provision(String chroot, long countHardLimit, long byteHardLimit) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<QuotaUsage> count(String chroot) {
            return CompletableFuture.completedFuture(new QuotaUsage(0, 0));
        }

        @Override
        public CompletableFuture<Integer> dataLength(String path) {
            return CompletableFuture.completedFuture(-1);
        }
    }

    /**
     * A write on a stale count waits for a new one; when that count completes on the calling thread (it was answered
     * before the quota attached to it), the wait is that completed count, never null.
     */
    @Test
    void aCountThatCompletesAtOnceIsStillWaitedFor() {
        AtomicLong now = new AtomicLong();
        TenantQuota quota = new TenantQuota("acme", "/tenants/acme", new QuotaLimits(2, 0, 0, 1024), 0, 0,
                new ImmediateSource(), now::get);
        quota.provision().join();
        now.addAndGet(TimeUnit.SECONDS.toNanos(1)); // the first count is stale now

        QuotaCharge create = QuotaCharge.of(OpCode.CREATE, Unpooled.wrappedBuffer(JuteFrames.request(1,
                ZooDefs.OpCode.create, new CreateRequest("/tenants/acme/x", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE,
                        0))), 1024);
        ZnodeQuota.Decision decision = quota.reserve(create, true);

        ZnodeQuota.Wait wait = assertInstanceOf(ZnodeQuota.Wait.class, decision);
        assertNotNull(wait.until(), "the count to wait for");
        assertTrue(wait.until().toCompletableFuture().isDone());
    }
}
