package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.zktenantproxy.protocol.ConnectResponse;
import io.zktenantproxy.protocol.FourLetterWord;
import io.zktenantproxy.protocol.IsolationViolationException;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.ProtocolException;
import io.zktenantproxy.protocol.RequestOutcome;
import io.zktenantproxy.protocol.TenantConnection;
import io.zktenantproxy.proxy.metrics.CloseReason;
import io.zktenantproxy.proxy.metrics.TenantMeters;
import java.io.IOException;
import java.util.function.IntSupplier;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied ZooKeeper connection of a tenant, and the one owner of its state: the protocol state
 * ({@link TenantConnection}), the two channels ({@link Relay}), the budget ({@link BudgetGate}), admission
 * ({@link Admission}) and the session ({@link SessionBinder}). The {@link FrontendHandler} and the
 * {@link BackendHandler} hand it their channel's events; both channels run on the client's event loop, so nothing
 * here is shared across threads.
 *
 * <p>Life: {@link #open} (admission) - client frames through the budget to the protocol - the ConnectRequest through
 * the {@link SessionGate} to an {@link UpstreamDialer} - replies back through the protocol to the client -
 * {@link #close} once, for one {@link CloseReason} - {@link #release} when the client channel is gone. Either side
 * closing closes the other; the client then reconnects and resumes its session.
 */
final class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final Tenant tenant;
    private final TenantMeters meters;
    private final ProxyContext context;
    private final Channel client;
    private final Relay relay;
    private final TenantConnection protocol;
    private final BudgetGate budget;
    private final Admission admission;
    private final SessionBinder session;
    private final HeldFrames held;
    private final IntSupplier watchCount;
    private final SessionKeepAlive keepAlive;
    private boolean closing;
    private boolean released;

    Connection(Tenant tenant, ProxyContext context, Channel client) {
        this.tenant = tenant;
        this.meters = tenant.meters();
        this.context = context;
        this.client = client;
        this.relay = new Relay(client, context.limits().maxInFlight(), this::mayReadClient, meters, tenant.budget());
        this.session = new SessionBinder(tenant, context.gate(), context.limits().idleTimeoutMs());
        this.protocol = new TenantConnection(tenant.chroot(), tenant.aclPolicy(), tenant.sessionQuotas(),
                context.ensemble(), tenant.ensembleConfig(), relay::toClient, new ProtocolEvents(tenant.name(), meters, session::sessionId,
                () -> context.gate().markerRefused(tenant)));
        this.budget = new BudgetGate(tenant.budget(), meters,
                new PacedFrames(client.eventLoop(), this::handle, this::flushAndResumeReading));
        this.admission = new Admission(context.limits(), meters);
        this.keepAlive = new SessionKeepAlive(protocol, relay);
        this.held = new HeldFrames(client.eventLoop(), this::decideHeld, this::handle, this::flushAndResumeReading);
        this.watchCount = protocol::watchCount;
    }

    /** The client channel is active: count it, refuse it over the tenant's limit, start the handshake deadline. */
    void open() {
        context.clients().add(client);
        meters.quota().sessionWatches(watchCount);
        admission.open(client.eventLoop(), this::close);
    }

    /** A whole client frame; this connection owns it from now on. */
    void onClientFrame(ByteBuf frame) {
        if (closing) {
            frame.release();
            return;
        }
        if (budget.admit(frame)) {
            handle(frame);
        } else {
            admission.cancelDeadline();
        }
        relay.updateClientReading();
    }

    /** Hands one client frame to the protocol and acts on the outcome; releases the frame. */
    private void handle(ByteBuf frame) {
        try {
            if (closing) {
                return;
            }
            if (held.holding()) {
                held.queue(frame.retain());
                return;
            }
            meters.bytesIn(frame.readableBytes());
            act(frame, protocol.onClientFrame(frame, client.alloc()));
        } catch (ProtocolException e) {
            close(CloseReason.of(e), e.getMessage());
        } finally {
            frame.release();
        }
    }

    /** Acts on what the protocol made of {@code frame} (not released here). */
    private void act(ByteBuf frame, RequestOutcome outcome) {
        if (outcome instanceof RequestOutcome.Forward forward) {
            keepAlive.sent();
            relay.toUpstream(forward.toUpstream());
        } else if (outcome instanceof RequestOutcome.Connect connect) {
            admission.cancelDeadline();
            session.requested(connect.request());
            relay.toUpstream(connect.toUpstream());
            passGate(connect);
        } else if (outcome instanceof RequestOutcome.Refuse refuse) {
            answered(refuse.xid(), refuse.op(), refuse.err(), refuse.reason());
        } else if (outcome instanceof RequestOutcome.RefuseMulti refuse) {
            answered(refuse.xid(), OpCode.MULTI, refuse.err(), refuse.reason());
        } else if (outcome instanceof RequestOutcome.AnswerLocally answer) {
            answered(answer.xid(), answer.op(), KeeperCode.OK, null);
        } else if (outcome instanceof RequestOutcome.Hold hold) {
            hold(frame, hold);
        }
    }

    /** A write waits for a fresh count of the tenant's usage, and every frame after it with it. */
    private void hold(ByteBuf frame, RequestOutcome.Hold hold) {
        meters.quota().waited();
        held.hold(frame, hold.until());
    }

    /** The count is in: the held write is decided on it (the frames behind it follow, from {@link HeldFrames}). */
    private void decideHeld(ByteBuf frame) {
        if (closing) {
            return;
        }
        try {
            act(frame, protocol.onHeldFrame(frame, client.alloc()));
        } catch (ProtocolException e) {
            close(CloseReason.of(e), e.getMessage());
        }
    }

    /** A request the proxy answered itself (the reply is already on its way, in xid order). */
    private void answered(int xid, OpCode op, int err, String reason) {
        meters.answeredByProxy(op, err);
        keepAlive.answeredLocally();
        if (err != KeeperCode.OK && LOG.isDebugEnabled()) {
            LOG.debug("tenant {} session 0x{}: answered xid {} opcode {} with {}: {}", tenant.name(),
                    Long.toHexString(session.sessionId()), xid, op, err, reason);
        }
    }

    /** The ConnectRequest waits for the session gate, then for an ensemble server; frames pipelined meanwhile queue. */
    private void passGate(RequestOutcome.Connect connect) {
        context.gate().admit(tenant, connect.request()).whenComplete((ignored, error) ->
                client.eventLoop().execute(() -> {
                    if (closing) {
                        return;
                    }
                    if (error != null) {
                        GateRefusal refusal = GateRefusal.of(error);
                        close(refusal.reason(), refusal.getMessage());
                    } else {
                        context.dialer().dial(client.eventLoop(), this::upstreamPipeline, this::onUpstreamConnected,
                                () -> close(CloseReason.UPSTREAM_UNAVAILABLE, "no ensemble server accepted a connection"));
                    }
                }));
    }

    private ChannelHandler upstreamPipeline() {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(FrameCumulator.decoder(context.limits().maxFrameBytes(), false),
                        new BackendHandler(Connection.this));
            }
        };
    }

    private void onUpstreamConnected(Channel upstream) {
        if (closing) {
            upstream.close();
            return;
        }
        relay.upstreamConnected(upstream);
    }

    /** A whole frame from the ensemble; released here. */
    void onUpstreamFrame(ByteBuf frame) {
        try {
            if (closing) {
                return;
            }
            ConnectResponse response = protocol.onServerFrame(frame, relay.upstream().alloc());
            if (response != null) {
                session.established(response, protocol, relay, client);
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

    /** The end of a client read batch: one flush for the batch (reading was decided frame by frame). */
    void flush() {
        relay.flush();
    }

    /**
     * The end of an upstream read batch, or of frames the budget released: one flush, then reading the client
     * again if the replies made room.
     */
    void flushAndResumeReading() {
        relay.flush();
        relay.updateClientReading();
    }

    /** The connection's own conditions for reading the client; the relay adds the channels' writability. */
    private boolean mayReadClient() {
        return !closing && !budget.holding() && !held.holding() && protocol.inFlight() < context.limits().maxInFlight();
    }

    /** Either channel's writability changed. */
    void writabilityChanged(boolean clientSide) {
        if (clientSide) {
            relay.clientWritabilityChanged();
        } else {
            relay.updateClientReading();
        }
    }

    /** Answers a four-letter word with proxy-level facts only, then closes, as ZooKeeper does. */
    void answer(FourLetterWord word) {
        admission.cancelDeadline();
        String answer = FourLetterWordResponder.answer(word, meters.connections());
        client.writeAndFlush(Unpooled.copiedBuffer(answer, StandardCharsets.US_ASCII));
        close(CloseReason.FOUR_LETTER_WORD, word.word());
    }

    /** An exception on the client channel closes the connection with the reason it stands for. */
    void onClientException(Throwable cause) {
        if (cause instanceof ProtocolException e) {
            close(CloseReason.of(e), e.getMessage());
        } else {
            if (!(cause instanceof IOException)) {
                LOG.warn("tenant {}: unexpected error, closing the connection", tenant.name(), cause);
            }
            close(CloseReason.IO_ERROR, cause.toString());
        }
    }

    /** An exception on the upstream channel (a frame the ensemble sent that breaks the protocol, or I/O). */
    void onUpstreamException(Throwable cause) {
        if (cause instanceof ProtocolException e) {
            close(CloseReason.of(e), "from ensemble: " + e.getMessage());
        } else {
            close(CloseReason.IO_ERROR, "upstream: " + cause);
        }
    }

    /** The ensemble server closed the upstream channel. */
    /** @return the tenant the connection belongs to */
    Tenant tenant() {
        return tenant;
    }

    /** @return the client channel's event loop, where {@link #close} must run */
    io.netty.channel.EventLoop eventLoop() {
        return client.eventLoop();
    }

    void upstreamClosed() {
        close(CloseReason.UPSTREAM_CLOSED, "ensemble server closed the connection");
    }

    /**
     * Closes both sides once, after flushing what the client is owed. Refusals and protocol errors are logged at
     * INFO with tenant, remote address and session; ordinary closes at DEBUG.
     */
    void close(CloseReason reason, String detail) {
        if (closing) {
            return;
        }
        closing = true;
        meters.connectionClosed(reason);
        admission.cancelDeadline();
        if (!reason.ordinary()) {
            LOG.info("closed connection from {} tenant={} session=0x{} reason={}: {}", client.remoteAddress(),
                    tenant.name(), Long.toHexString(session.sessionId()), reason.tag(), detail);
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("closed connection from {} tenant={} session=0x{} reason={}: {}", client.remoteAddress(),
                    tenant.name(), Long.toHexString(session.sessionId()), reason.tag(), detail);
        }
        relay.close();
        client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** The client channel is gone: close (if nothing else did first) and give back what the connection held. */
    void release() {
        close(context.shuttingDown().get() ? CloseReason.SHUTDOWN : CloseReason.CLIENT_CLOSED, "client went away");
        if (released) {
            return;
        }
        released = true;
        admission.closed();
        session.closed();
        protocol.release();
        meters.quota().sessionGone(watchCount);
        budget.discard();
        held.discard();
    }
}
