package io.zktenantproxy.proxy.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.protocol.ConnectRequest;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import io.zktenantproxy.proxy.config.Limits;
import io.zktenantproxy.proxy.quota.UsageSource;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.metrics.CloseReason;
import io.zktenantproxy.proxy.metrics.MeterNames;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.proto.CreateRequest;
import org.apache.zookeeper.proto.CreateResponse;

/**
 * The proxy's real handler layer ({@link ConnectionInitializer}, {@link FrontendHandler}, {@link Connection},
 * {@link BackendHandler}) on two {@link EmbeddedChannel}s: one for the client's socket, one for the ensemble server's,
 * made by a {@link UpstreamDialer} of the test's own. No socket, no ZooKeeper: the test plays both peers.
 *
 * <p>Bytes the client sends go in with {@link #fromClient}; what the proxy sent upstream comes out of
 * {@link #toUpstream}; bytes the server sends go in with {@link #fromServer}; what reached the client comes out of
 * {@link #toClient}. Every buffer comes from a {@link TrackingAllocator}, so {@link #finish} can prove none leaked.
 * A protocol error never reaches the test as an exception: the connection closes and counts a {@link CloseReason}
 * ({@link #closed}, {@link #closeReasons}). A new session makes the proxy write its own {@link #MARKER_CREATE}
 * upstream once the ConnectResponse passed; a test that counts upstream frames counts it, or answers it with
 * {@link #MARKER_REPLY} before the replies to anything sent after it.
 */
final class ConnectionHarness {
    /** The tenant's name. */
    static final String TENANT = "t1";
    /** The tenant's chroot: the one the golden frames of the wire test kit are written for. */
    static final String CHROOT = GoldenCases.CHROOT;
    /** The session the test's ensemble grants. */
    static final long SESSION_ID = 0x1234L;
    /** A client's handshake for a new session. */
    static final byte[] CONNECT_REQUEST = JuteFrames.connectRequest();
    /** The ensemble's answer to {@link #CONNECT_REQUEST}: session {@link #SESSION_ID}. */
    static final byte[] CONNECT_RESPONSE = JuteFrames.connectResponse(SESSION_ID);
    /**
     * What the proxy sends upstream on a new session once the ensemble granted it, behind everything the client sent
     * before: its own session-marker create ({@link SessionRegistry}), xid {@link Xids#PROXY}.
     */
    static final byte[] MARKER_CREATE = JuteFrames.request(Xids.PROXY, OpCode.CREATE.code(),
            new CreateRequest(SessionRegistry.markerPath(SESSION_ID), TENANT.getBytes(StandardCharsets.UTF_8),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL.toFlag()));
    /** The ensemble's answer to {@link #MARKER_CREATE}, at zxid 1; the proxy keeps it to itself. */
    static final byte[] MARKER_REPLY = JuteFrames.reply(Xids.PROXY, 1, KeeperCode.OK,
            new CreateResponse(SessionRegistry.markerPath(SESSION_ID)));

    final TrackingAllocator alloc = new TrackingAllocator();
    final Tenant tenant;
    final EmbeddedChannel client;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<PendingDial> dials = new ArrayList<>();
    private final boolean dialAtOnce;
    private final ProxyContext context;
    private final ProxyMetrics metrics;
    /** The client channels' clock when frozen ({@link #withFrozenClock}), else null: real time. */
    private final MockTicker clock;
    private EmbeddedChannel upstream;

    /** A dial the test completes later with {@link #connectUpstream} or {@link #failUpstream}. */
    private record PendingDial(Supplier<ChannelHandler> pipeline, Consumer<Channel> onConnected, Runnable onFailed) {
    }

    /** Lets every handshake through at once. */
    static class OpenGate implements SessionGate {
        final List<Long> bound = new ArrayList<>();

        @Override
        public CompletableFuture<Void> admit(Tenant tenant, ConnectRequest request) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void bind(Tenant tenant, long sessionId, int timeoutMs) {
            bound.add(sessionId);
        }
    }

    /** Default limits, an open gate, upstream connected as soon as the handshake passes the gate. */
    ConnectionHarness() {
        this(Limits.defaults(), true, new OpenGate());
    }

    /**
     * @param dialAtOnce whether the upstream channel connects as soon as it is dialled; otherwise the test decides
     *                   when, with {@link #connectUpstream} or {@link #failUpstream}
     */
    ConnectionHarness(Limits limits, boolean dialAtOnce, SessionGate gate) {
        this(limits, dialAtOnce, gate, null);
    }

    /** @param usage where the tenant's znode and byte usage is counted (null: those quotas are off) */
    ConnectionHarness(Limits limits, boolean dialAtOnce, SessionGate gate, UsageSource usage) {
        this(limits, dialAtOnce, gate, usage, false);
    }

    /**
     * A harness whose client channel's clock stands still from before it is registered: its timeouts (handshake,
     * idle) move only with {@code advanceTimeBy}, however slowly the test itself runs on a loaded machine.
     */
    static ConnectionHarness withFrozenClock(Limits limits) {
        return new ConnectionHarness(limits, true, new OpenGate(), null, true);
    }

    private ConnectionHarness(Limits limits, boolean dialAtOnce, SessionGate gate, UsageSource usage,
                              boolean frozenClock) {
        this.dialAtOnce = dialAtOnce;
        this.clock = frozenClock ? Ticker.newMockTicker() : null;
        ProxyMetrics metrics = new ProxyMetrics(registry, Duration.ofMillis(100));
        TenantConfig config = TenantConfig.named(TENANT).withChroot(CHROOT).withListen("127.0.0.1:0")
                .withAdvertised(List.of("proxy.example:2181")).withRequestsPerSecond(0).withBytesPerSecond(0);
        this.tenant = new Tenant(config, List.of(), limits, metrics.tenant(TENANT), usage, AclPolicy.NONE);
        this.context = new ProxyContext(limits, this::dial, gate,
                new DefaultChannelGroup(GlobalEventExecutor.INSTANCE), new AtomicBoolean(),
                io.zktenantproxy.protocol.EnsembleFeatures.unknown());
        this.metrics = metrics;
        this.client = register(new ConnectionInitializer(Listener.of(tenant, null), context, metrics));
    }

    /** Moves the frozen clock ({@link #withFrozenClock}) and runs the client's tasks that came due. */
    void advanceClock(long millis) {
        clock.advance(millis, TimeUnit.MILLISECONDS);
        client.runScheduledPendingTasks();
    }

    /** @return another client connection of the same tenant, through the same listener and context */
    EmbeddedChannel anotherClient() {
        return register(new ConnectionInitializer(Listener.of(tenant, null), context, metrics));
    }

    private EmbeddedChannel register(ChannelHandler handler) {
        EmbeddedChannel channel = clock == null
                ? new EmbeddedChannel(DefaultChannelId.newInstance(), false, false, handler)
                : EmbeddedChannel.builder().channelId(DefaultChannelId.newInstance()).register(false)
                        .hasDisconnect(false).handlers(handler).ticker(clock).build();
        channel.config().setAllocator(alloc);
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return channel;
    }

    private void dial(EventLoop loop, Supplier<ChannelHandler> pipeline, Consumer<Channel> onConnected,
                      Runnable onFailed) {
        dials.add(new PendingDial(pipeline, onConnected, onFailed));
        if (dialAtOnce) {
            connectUpstream();
        }
    }

    /** Completes the oldest pending dial with a new upstream channel. */
    void connectUpstream() {
        PendingDial dial = dials.remove(0);
        upstream = register(dial.pipeline().get());
        dial.onConnected().accept(upstream);
        client.runPendingTasks();
    }

    /** Fails the oldest pending dial: no ensemble server accepted. */
    void failUpstream() {
        dials.remove(0).onFailed().run();
        client.runPendingTasks();
    }

    /** @return how many dials wait for the test */
    int pendingDials() {
        return dials.size();
    }

    /** @return the upstream channel, or null before one was connected */
    EmbeddedChannel upstream() {
        return upstream;
    }

    /** Bytes from the client, as one read; a closed client channel takes nothing more. */
    void fromClient(byte[] bytes) {
        if (client.isOpen()) {
            client.writeInbound(alloc.wrap(bytes));
        }
        client.runPendingTasks();
    }

    /**
     * Bytes from the ensemble server, as one read; the upstream channel must exist (the ConnectRequest has passed the
     * gate and been dialled out). A closed upstream channel takes nothing more.
     */
    void fromServer(byte[] bytes) {
        if (upstream == null) {
            throw new IllegalStateException("no upstream channel yet: the ConnectRequest has not been dialled out");
        }
        if (upstream.isOpen()) {
            upstream.writeInbound(alloc.wrap(bytes));
        }
        client.runPendingTasks();
    }

    /** Takes (and releases) every frame sent upstream so far. */
    List<byte[]> toUpstream() {
        return upstream == null ? List.of() : drain(upstream);
    }

    /** Runs what the connection scheduled on its event loop (a held write's release, for one). */
    void runPendingTasks() {
        client.runPendingTasks();
    }

    /** Takes (and releases) every frame sent to the client so far. */
    List<byte[]> toClient() {
        return drain(client);
    }

    /** Takes (and releases) what {@code channel} wrote; empty buffers (the flush before a close) are left out. */
    static List<byte[]> drain(EmbeddedChannel channel) {
        List<byte[]> frames = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            if (buf.isReadable()) {
                frames.add(ByteBufUtil.getBytes(buf));
            }
            buf.release();
        }
        return frames;
    }

    /** @return how many connections of the tenant were closed for {@code reason} */
    long closed(CloseReason reason) {
        Counter counter = registry.find(MeterNames.CONNECTIONS_CLOSED).tag("reason", reason.tag()).counter();
        return counter == null ? 0 : (long) counter.count();
    }

    /** @return every reason a connection of the tenant was closed for so far, in {@link CloseReason} order */
    List<CloseReason> closeReasons() {
        return Arrays.stream(CloseReason.values()).filter(reason -> closed(reason) > 0).toList();
    }

    /** @return the data the proxy serves for {@code /zookeeper/config} to this tenant */
    byte[] ensembleConfig() {
        return tenant.ensembleConfig();
    }

    /**
     * Closes both channels and takes what they still hold.
     *
     * @return whether anything was left unread in either channel (tests assert false)
     */
    boolean finish() {
        boolean leftClient = !drain(client).isEmpty() | client.finishAndReleaseAll();
        boolean leftUpstream = upstream != null && (!drain(upstream).isEmpty() | upstream.finishAndReleaseAll());
        return leftClient || leftUpstream;
    }
}
