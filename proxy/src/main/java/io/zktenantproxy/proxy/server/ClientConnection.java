package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.zktenantproxy.protocol.ConnectRequest;
import io.zktenantproxy.protocol.ConnectResponse;
import io.zktenantproxy.protocol.FourLetterWord;
import io.zktenantproxy.protocol.IsolationViolationException;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.ProtocolException;
import io.zktenantproxy.protocol.RequestOutcome;
import io.zktenantproxy.protocol.Requests;
import io.zktenantproxy.protocol.TenantConnection;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.proxy.metrics.CloseReason;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied ZooKeeper connection: the client channel's handler and the owner of everything the connection has,
 * its {@link TenantConnection} protocol state and its upstream channel. Both channels run on the client's event
 * loop, so nothing here is shared across threads.
 *
 * <ul>
 *   <li>The ConnectRequest waits for the tenant's chroot to exist, then goes to an ensemble server
 *       ({@link UpstreamConnector}) untouched; frames the client pipelines meanwhile wait in order.</li>
 *   <li>Backpressure: the client is read only while the upstream channel is writable and fewer than
 *       {@code maxInFlight} requests are unanswered; the upstream is read only while the client is writable.</li>
 *   <li>Budget: a frame beyond the tenant's requests or bytes per second ({@link TenantBudget}) waits in
 *       {@link PacedFrames} for its slot, and the client is not read meanwhile.</li>
 *   <li>Writes are flushed once per read batch, not per frame.</li>
 *   <li>Either side closing closes the other; the client then reconnects and resumes its session.</li>
 * </ul>
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements TenantConnection.Observer {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

    private final Tenant tenant;
    private final TenantMeters meters;
    private final TenantBudget budget;
    private final ProxyContext context;
    private final TenantConnection protocol;
    private final Consumer<ByteBuf> toClient = this::writeToClient;
    private final ArrayDeque<ByteBuf> awaitingUpstream = new ArrayDeque<>();

    private Channel client;
    private Channel upstream;
    private PacedFrames paced;
    private ScheduledFuture<?> handshakeTimer;
    private boolean connectSeen;
    private boolean closing;
    private boolean cleanedUp;
    private boolean clientFlushNeeded;
    private boolean upstreamFlushNeeded;
    private boolean sessionCounted;
    private boolean newSession;
    private long sessionId;
    private CloseReason closeReason;

    ClientConnection(Tenant tenant, ProxyContext context) {
        this.tenant = tenant;
        this.meters = tenant.meters();
        this.budget = tenant.budget();
        this.context = context;
        this.protocol = new TenantConnection(tenant.chroot(), context.aclPolicy(), tenant.ensembleConfig(), toClient,
                this);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ctx.channel();
        paced = new PacedFrames(client.eventLoop(), this::process, this::afterPacedRelease);
        context.clients().add(client);
        int open = meters.connections(1);
        if (open > context.limits().maxConnectionsPerTenant()) {
            close(CloseReason.TOO_MANY_CONNECTIONS, "tenant has " + (open - 1) + " connections (limit "
                    + context.limits().maxConnectionsPerTenant() + ")");
            return;
        }
        handshakeTimer = ctx.executor().schedule(() -> close(CloseReason.HANDSHAKE_TIMEOUT,
                        "no ConnectRequest within " + context.limits().handshakeTimeoutMs() + " ms"),
                context.limits().handshakeTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FourLetterWord word) {
            answerFourLetterWord(word);
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        if (closing) {
            frame.release();
            return;
        }
        if (!budget.unlimited()) {
            long wait = budget.admit(frame.readableBytes());
            if (wait > 0 || !paced.isEmpty()) {
                // over the tenant's budget, or behind frames that are: wait for its slot, read nothing more meanwhile
                if (handshakeTimer != null) {
                    handshakeTimer.cancel(false); // a paced ConnectRequest was sent in time: the wait is the tenant's
                }
                meters.paced(wait);
                paced.hold(frame, System.nanoTime() + wait);
                updateClientReading();
                return;
            }
        }
        process(frame);
        updateClientReading();
    }

    /** Hands one client frame to the protocol and acts on the outcome; releases the frame. */
    private void process(ByteBuf frame) {
        try {
            if (closing) {
                return;
            }
            meters.bytesIn(frame.readableBytes());
            RequestOutcome result = protocol.onClientFrame(frame, client.alloc());
            if (result instanceof RequestOutcome.Forward forward) {
                sendUpstream(forward.toUpstream());
            } else if (result instanceof RequestOutcome.Refuse refuse) {
                refused(refuse.op(), refuse.xid(), refuse.opCode(), refuse.err(), refuse.reason());
            } else if (result instanceof RequestOutcome.RefuseMulti multi) {
                refused(OpCode.MULTI, multi.xid(), OpCode.MULTI.code(), multi.err(), multi.reason());
            } else if (result instanceof RequestOutcome.AnswerLocally local) {
                meters.answeredByProxy(local.op(), KeeperCode.OK);
            } else if (result instanceof RequestOutcome.Connect connect) {
                onConnectRequest(connect);
            }
        } catch (ProtocolException e) {
            close(CloseReason.of(e), e.getMessage());
        } finally {
            frame.release();
        }
    }

    /** A request the protocol refused; its error reply is already on its way to the client. */
    private void refused(OpCode op, int xid, int opCode, int err, String reason) {
        meters.answeredByProxy(op, err);
        if (LOG.isDebugEnabled()) {
            LOG.debug("tenant {} session 0x{}: answered xid {} opcode {} with {}: {}", tenant.name(),
                    Long.toHexString(sessionId), xid, opCode, err, reason);
        }
    }

    private void afterPacedRelease() {
        flush();
        updateClientReading();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush();
    }

    private void onConnectRequest(RequestOutcome.Connect connect) {
        connectSeen = true;
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        ConnectRequest request = connect.request();
        newSession = request.sessionId() == 0;
        awaitingUpstream.add(connect.toUpstream());
        CompletableFuture<String> owner = newSession
                ? CompletableFuture.completedFuture(null) : context.sessions().owner(request.sessionId());
        CompletableFuture<Void> provisioned = CompletableFuture.allOf(
                context.provisioner().ensure(tenant.chroot().root()),
                context.provisioner().ensurePath(SessionRegistry.MARKER_ROOT));
        owner.thenCombine(provisioned, (tenantName, ignored) -> tenantName).whenComplete((tenantName, error) ->
                client.eventLoop().execute(() -> {
                    if (closing) {
                        return;
                    }
                    if (error != null) {
                        close(CloseReason.CHROOT_UNAVAILABLE, "chroot or session check unavailable: "
                                + rootCause(error));
                    } else if (tenantName != null && !tenantName.equals(tenant.name())) {
                        close(CloseReason.SESSION_OF_OTHER_TENANT, "session 0x"
                                + Long.toHexString(request.sessionId()) + " belongs to another tenant");
                    } else {
                        context.connector().connect(client.eventLoop(), this::upstreamPipeline,
                                this::onUpstreamConnected, () -> close(CloseReason.UPSTREAM_UNAVAILABLE,
                                        "no ensemble server accepted a connection"));
                    }
                }));
    }

    private static String rootCause(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.toString();
    }

    private ChannelHandler upstreamPipeline() {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(FrameCumulator.decoder(context.limits().maxFrameBytes(), false),
                        new UpstreamHandler(ClientConnection.this));
            }
        };
    }

    private void onUpstreamConnected(Channel channel) {
        if (closing) {
            channel.close();
            return;
        }
        upstream = channel;
        ByteBuf buf;
        while ((buf = awaitingUpstream.poll()) != null) {
            upstream.write(buf);
        }
        upstream.flush();
        upstream.config().setAutoRead(client.isWritable());
        updateClientReading();
    }

    private void sendUpstream(ByteBuf buf) {
        if (upstream != null) {
            upstream.write(buf);
            upstreamFlushNeeded = true;
        } else {
            awaitingUpstream.add(buf);
        }
    }

    private void writeToClient(ByteBuf buf) {
        if (closing && cleanedUp) {
            buf.release();
            return;
        }
        meters.bytesOut(buf.readableBytes());
        budget.charge(buf.readableBytes());
        client.write(buf);
        clientFlushNeeded = true;
    }

    private void flush() {
        if (upstreamFlushNeeded) {
            upstreamFlushNeeded = false;
            upstream.flush();
        }
        if (clientFlushNeeded) {
            clientFlushNeeded = false;
            client.flush();
        }
    }

    void onUpstreamFrame(ByteBuf frame) {
        try {
            if (closing) {
                return;
            }
            ConnectResponse response = protocol.onServerFrame(frame, upstream.alloc());
            if (response != null) {
                onSession(response);
            }
        } catch (ProtocolException e) {
            if (e instanceof IsolationViolationException) {
                meters.isolationViolation();
            }
            close(CloseReason.of(e), e.getMessage());
        } finally {
            frame.release();
        }
    }

    void onUpstreamReadComplete() {
        flush();
        updateClientReading();
    }

    private void onSession(ConnectResponse response) {
        if (response.expired()) {
            LOG.debug("tenant {}: session expired, the ensemble refused to resume it", tenant.name());
            return;
        }
        sessionId = response.sessionId();
        context.sessions().bind(sessionId, tenant.name(), response.timeOutMs());
        if (newSession) {
            // the ownership marker lives on the session itself, so it expires with it (see SessionRegistry)
            upstream.write(protocol.sendOnSession(OpCode.CREATE, Requests.createEphemeral(upstream.alloc(),
                    Xids.PROXY, SessionRegistry.markerPath(sessionId), tenant.name().getBytes(StandardCharsets.UTF_8))));
            upstreamFlushNeeded = true;
        }
        meters.sessions(1);
        sessionCounted = true;
        int idleMs = context.limits().idleTimeoutMs();
        if (response.timeOutMs() > idleMs) {
            // a live client pings every third of its session timeout: never call it idle before that timeout
            client.pipeline().replace(IdleStateHandler.class, ProxyServer.IDLE_HANDLER,
                    new IdleStateHandler(response.timeOutMs(), 0, 0, TimeUnit.MILLISECONDS));
        }
        LOG.debug("tenant {}: session 0x{} established, timeout {} ms", tenant.name(), Long.toHexString(sessionId),
                response.timeOutMs());
    }

    /**
     * Reads the client only while no frame waits for the tenant's budget, upstream can take more, the in-flight bound
     * is not reached, and the client itself takes its replies: requests the proxy answers on its own (refusals,
     * invalid paths, the ensemble config) are never in flight, so a client that sends them without reading would
     * otherwise grow its outbound buffer without bound.
     */
    void updateClientReading() {
        if (client == null || closing) {
            return;
        }
        boolean read = client.isWritable() && paced.isEmpty() && protocol.inFlight() < context.limits().maxInFlight()
                && (upstream != null ? upstream.isWritable() : awaitingUpstream.size() < context.limits().maxInFlight());
        if (client.config().isAutoRead() != read) {
            client.config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upstream != null && !closing) {
            upstream.config().setAutoRead(client.isWritable());
        }
        updateClientReading();
    }

    void onUpstreamInactive() {
        close(CloseReason.UPSTREAM_CLOSED, "ensemble server closed the connection");
    }

    void onUpstreamException(Throwable cause) {
        if (cause instanceof ProtocolException e) {
            close(CloseReason.of(e), "from ensemble: " + e.getMessage());
        } else {
            close(CloseReason.IO_ERROR, "upstream: " + cause);
        }
    }

    private void answerFourLetterWord(FourLetterWord word) {
        String answer = FourLetterWordResponder.answer(word, meters.connections());
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        client.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII));
        close(CloseReason.FOUR_LETTER_WORD, word.word());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            close(CloseReason.IDLE_TIMEOUT, "nothing received within " + context.limits().idleTimeoutMs() + " ms");
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ProtocolException e) {
            close(CloseReason.of(e), e.getMessage());
        } else if (cause instanceof IOException) {
            close(CloseReason.IO_ERROR, cause.toString());
        } else {
            LOG.warn("tenant {}: unexpected error, closing the connection", tenant.name(), cause);
            close(CloseReason.IO_ERROR, cause.toString());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        close(context.shuttingDown().get() ? CloseReason.SHUTDOWN : CloseReason.CLIENT_CLOSED, "client went away");
        cleanUp();
    }

    /**
     * Closes both sides once, after flushing what the client is owed. Refusals and protocol errors are logged at
     * INFO with tenant, remote address and session; ordinary closes at DEBUG.
     */
    private void close(CloseReason reason, String detail) {
        if (closing) {
            return;
        }
        closing = true;
        closeReason = reason;
        meters.connectionClosed(reason);
        if (handshakeTimer != null) {
            handshakeTimer.cancel(false);
        }
        boolean ordinary = reason == CloseReason.CLIENT_CLOSED || reason == CloseReason.UPSTREAM_CLOSED
                || reason == CloseReason.FOUR_LETTER_WORD || reason == CloseReason.SHUTDOWN
                || reason == CloseReason.IO_ERROR;
        if (!ordinary) {
            LOG.info("closed connection from {} tenant={} session=0x{} reason={}: {}", client.remoteAddress(),
                    tenant.name(), Long.toHexString(sessionId), reason.tag(), detail);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("closed connection from {} tenant={} session=0x{} reason={}: {}", client.remoteAddress(),
                    tenant.name(), Long.toHexString(sessionId), reason.tag(), detail);
        }
        if (upstream != null) {
            upstream.close();
        }
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void cleanUp() {
        if (cleanedUp) {
            return;
        }
        cleanedUp = true;
        meters.connections(-1);
        if (sessionCounted) {
            meters.sessions(-1);
        }
        protocol.release();
        if (paced != null) {
            paced.discard();
        }
        ByteBuf buf;
        while ((buf = awaitingUpstream.poll()) != null) {
            buf.release();
        }
    }

    @Override
    public void onReply(OpCode op, int err, long latencyNanos) {
        meters.upstreamReply(op, err, latencyNanos);
    }

    @Override
    public void onNotification() {
        meters.watchEvent();
    }

    @Override
    public void onProxyReply(OpCode op, int err) {
        if (err != 0) {
            LOG.warn("tenant {}: session 0x{}: ownership marker not created (error {}); resumes through other "
                    + "proxy instances cannot be checked", tenant.name(), Long.toHexString(sessionId), err);
        }
    }

    CloseReason closeReason() {
        return closeReason;
    }
}
