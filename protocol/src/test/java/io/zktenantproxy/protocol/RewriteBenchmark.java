package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.proto.GetDataRequest;
import org.apache.zookeeper.proto.SetDataRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The request rewrite on the hot path ({@link RequestRewriter#rewrite}): getData, setData with 1 KiB and 1 MiB of
 * data, and a 10-op multi, each from a frame built with the official jute records. Run with {@code -prof gc}: the
 * point of the splice is that {@code gc.alloc.rate.norm} of setData does not grow with the payload.
 *
 * <p>{@code unpooled} allocates every buffer on the heap, so a payload copy would show up as allocation;
 * {@code pooled} is what the proxy runs with. Leak detection is off: its sampling allocates.
 * Command and figures: {@code docs/BENCHMARKS.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-Xmx1g"})
@State(Scope.Thread)
public class RewriteBenchmark {
    @Param({"unpooled", "pooled"})
    public String allocator;

    private ByteBufAllocator alloc;
    private RequestRewriter rewriter;
    private ByteBuf getData;
    private ByteBuf setData1KiB;
    private ByteBuf setData1MiB;
    private ByteBuf multi10;

    @Setup
    public void setUp() {
        alloc = allocator.equals("pooled") ? PooledByteBufAllocator.DEFAULT : new UnpooledByteBufAllocator(false);
        rewriter = new RequestRewriter(new TenantChroot("/tenants/t1"), AclPolicy.NONE);
        String path = "/flink/default/jobs/0123456789abcdef/checkpoints/0000000042";
        getData = frame(JuteFrames.request(1, OpCode.GET_DATA.code(), new GetDataRequest(path, true)));
        setData1KiB = frame(JuteFrames.request(2, OpCode.SET_DATA.code(), new SetDataRequest(path, new byte[1024], 7)));
        setData1MiB = frame(JuteFrames.request(3, OpCode.SET_DATA.code(),
                new SetDataRequest(path, new byte[1024 * 1024], 7)));
        multi10 = frame(GoldenCases.multiFrame(4, OpCode.MULTI, GoldenCases.tenMultiOps("/flink/default")));
    }

    /**
     * The frame as FrameDecoder hands it over, reference counted; the rewrite neither consumes nor releases it, and
     * releasing the output gives back the reference a spliced payload slice took.
     */
    private static ByteBuf frame(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes);
    }

    private int rewrite(ByteBuf frame) {
        ByteBuf out = ((RequestOutcome.Forward) rewriter.rewrite(frame, alloc)).toUpstream();
        int length = out.readableBytes();
        out.release();
        return length;
    }

    @Benchmark
    public int getData() {
        return rewrite(getData);
    }

    @Benchmark
    public int setData1KiB() {
        return rewrite(setData1KiB);
    }

    @Benchmark
    public int setData1MiB() {
        return rewrite(setData1MiB);
    }

    @Benchmark
    public int multi10() {
        return rewrite(multi10);
    }
}
