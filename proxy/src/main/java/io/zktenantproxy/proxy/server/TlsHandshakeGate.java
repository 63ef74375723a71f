package io.zktenantproxy.proxy.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.zktenantproxy.proxy.metrics.ProxyMetrics;
import io.zktenantproxy.proxy.tls.HandshakeOutcome;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a TLS connection until its handshake has finished and decided the tenant: then puts the tenant's ZooKeeper
 * handlers in its place ({@link ConnectionInitializer#addZooKeeperHandlers}) and lets the connection begin, or closes
 * it, counted in {@code zktp_tls_handshakes_total} by {@link HandshakeOutcome} and logged with the reason. The
 * listener's trust manager has already refused certificates that name no tenant, two, or another listener's; the
 * gate asks the {@link TenantResolver} once more and fails closed if the answer is not one tenant.
 *
 * <p>Nothing reaches a ZooKeeper handler before the decision: {@code channelActive} is held back and re-fired for
 * them, and any decrypted bytes that arrive with the handshake's last record are kept and passed on in order.
 */
final class TlsHandshakeGate extends ChannelInboundHandlerAdapter {
    static final String NAME = "tls-gate";
    private static final Logger LOG = LoggerFactory.getLogger(TlsHandshakeGate.class);

    private final Listener listener;
    private final ProxyContext context;
    private final ProxyMetrics metrics;
    private final List<Object> early = new ArrayList<>(0);

    TlsHandshakeGate(Listener listener, ProxyContext context, ProxyMetrics metrics) {
        this.listener = listener;
        this.context = context;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // held back: the ZooKeeper handlers get it once the tenant is known
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        early.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof SslHandshakeCompletionEvent done)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (!done.isSuccess()) {
            refuse(ctx, HandshakeOutcome.of(done.cause()), done.cause());
            return;
        }
        Tenant tenant = listener.resolver().resolve(ctx.channel());
        if (tenant == null) {
            refuse(ctx, HandshakeOutcome.NO_TENANT, null);
            return;
        }
        metrics.tlsHandshake(listener.name(), HandshakeOutcome.OK.tag());
        ConnectionInitializer.addZooKeeperHandlers(ctx.pipeline(), NAME, tenant, context);
        ctx.fireChannelActive();
        for (Object msg : early) {
            ctx.fireChannelRead(msg);
        }
        early.clear();
        ctx.fireChannelReadComplete();
        ctx.pipeline().remove(this);
    }

    private void refuse(ChannelHandlerContext ctx, HandshakeOutcome outcome, Throwable cause) {
        metrics.tlsHandshake(listener.name(), outcome.tag());
        String why = cause == null ? "" : ": " + rootMessage(cause);
        if (outcome == HandshakeOutcome.FAILED && rootCause(cause) instanceof ClosedChannelException) {
            LOG.debug("listener {}: {} closed before the TLS handshake finished", listener.name(),
                    ctx.channel().remoteAddress());
        } else {
            LOG.info("listener {}: TLS handshake from {} refused, {}{}", listener.name(),
                    ctx.channel().remoteAddress(), outcome.tag(), why);
        }
        releaseEarly();
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The SslHandler reports a failed handshake twice, as this exception and as the completion event; the event
        // is the one counted. Anything else before the decision closes the connection.
        LOG.debug("listener {}: {} before the TLS handshake finished: {}", listener.name(),
                ctx.channel().remoteAddress(), cause.toString());
        releaseEarly();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseEarly();
        ctx.fireChannelInactive();
    }

    private void releaseEarly() {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }

    private static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = rootCause(t);
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
