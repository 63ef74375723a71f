package io.zktenantproxy.proxy.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.QuotaCharge;
import io.zktenantproxy.protocol.QuotaKind;
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

    private static QuotaCharge create(String name, int dataBytes) {
        return QuotaCharge.of(OpCode.CREATE, Unpooled.wrappedBuffer(JuteFrames.request(1, ZooDefs.OpCode.create,
                new CreateRequest("/tenants/acme/" + name, new byte[dataBytes], ZooDefs.Ids.OPEN_ACL_UNSAFE, 0))),
                1024);
    }

    private static QuotaCharge setData(String name, int dataBytes) {
        return QuotaCharge.of(OpCode.SET_DATA, Unpooled.wrappedBuffer(JuteFrames.request(1, ZooDefs.OpCode.setData,
                new org.apache.zookeeper.proto.SetDataRequest("/tenants/acme/" + name, new byte[dataBytes], -1))),
                1024);
    }

    private final AtomicLong now = new AtomicLong();
    private final ManualUsageSource source = new ManualUsageSource();

    private TenantQuota provisioned(long znodes, long bytes, long usedZnodes) {
        TenantQuota quota = new TenantQuota("acme", "/tenants/acme", new QuotaLimits(znodes, bytes, 0, 1024), 0, 0,
                source, now::get);
        CompletableFuture<Void> provisioned = quota.provision();
        source.answer(usedZnodes, 0);
        provisioned.join();
        return quota;
    }

    @Test
    void farFromTheLimitAFreshCountAdmitsAtOnce() {
        TenantQuota quota = provisioned(1000, 0, 10);
        assertEquals(ZnodeQuota.ADMIT, quota.reserve(create("a", 0), true));
        assertEquals(new QuotaUsage(11, 0), quota.view());
        quota.settle(create("a", 0), false);
        assertEquals(new QuotaUsage(10, 0), quota.view(), "a failed write gives its reservation back");
    }

    @Test
    void nearTheLimitEveryWriteWaitsForACountOfItsOwnTime() {
        TenantQuota quota = provisioned(1000, 0, 950);
        ZnodeQuota.Wait wait = assertInstanceOf(ZnodeQuota.Wait.class, quota.reserve(create("a", 0), true));
        assertFalse(wait.until().toCompletableFuture().isDone());
        source.answer(950, 0);
        assertTrue(wait.until().toCompletableFuture().isDone());
        assertEquals(ZnodeQuota.ADMIT, quota.reserve(create("a", 0), false));
    }

    @Test
    void aRefusalIsDecidedOnACountNewerThanTheRequest() {
        TenantQuota quota = provisioned(5, 0, 5);
        ZnodeQuota.Wait wait = assertInstanceOf(ZnodeQuota.Wait.class, quota.reserve(create("a", 0), true));
        source.answer(4, 0); // another instance deleted one meanwhile
        wait.until().toCompletableFuture().join();
        assertEquals(ZnodeQuota.ADMIT, quota.reserve(create("a", 0), false));
        ZnodeQuota.Wait again = assertInstanceOf(ZnodeQuota.Wait.class, quota.reserve(create("b", 0), true));
        source.answer(4, 0); // the first write is still in flight: reserved on top of the count
        again.until().toCompletableFuture().join();
        assertEquals(new ZnodeQuota.Refuse(QuotaKind.ZNODES, 0), quota.reserve(create("b", 0), false));
    }

    @Test
    void writesWaitingTogetherShareOneCountStartedAfterThem() {
        TenantQuota quota = provisioned(5, 0, 5);
        ZnodeQuota.Wait first = assertInstanceOf(ZnodeQuota.Wait.class, quota.reserve(create("a", 0), true));
        ZnodeQuota.Wait second = assertInstanceOf(ZnodeQuota.Wait.class, quota.reserve(create("b", 0), true));
        assertEquals(1, source.unanswered(), "the second waits for the count after the one already sent");
        source.answer(5, 0);
        assertTrue(first.until().toCompletableFuture().isDone());
        assertFalse(second.until().toCompletableFuture().isDone());
        assertEquals(1, source.unanswered());
        source.answer(5, 0);
        assertTrue(second.until().toCompletableFuture().isDone());
    }

    @Test
    void aSetDataNearTheByteLimitIsChargedItsGrowthOnly() {
        TenantQuota quota = provisioned(0, 8 * 1024, 1); // one znode: 1 KiB charge
        source.lengths.put("/tenants/acme/big", 4 * 1024);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        ZnodeQuota.Wait wait = assertInstanceOf(ZnodeQuota.Wait.class, quota.reserve(setData("big", 4 * 1024), true));
        source.answer(1, 4 * 1024);
        wait.until().toCompletableFuture().join();
        // 1 KiB + 4 KiB counted + 4 KiB new would be 9 KiB; it replaces 4 KiB, so 5 KiB
        assertEquals(ZnodeQuota.ADMIT, quota.reserve(setData("big", 4 * 1024), false), "the same size adds nothing");
        quota.settle(setData("big", 4 * 1024), true);
        ZnodeQuota.Wait grow = assertInstanceOf(ZnodeQuota.Wait.class, quota.reserve(setData("big", 8 * 1024), true));
        source.answer(1, 4 * 1024);
        grow.until().toCompletableFuture().join();
        assertEquals(new ZnodeQuota.Refuse(QuotaKind.BYTES, 0), quota.reserve(setData("big", 8 * 1024), false));
    }
}
