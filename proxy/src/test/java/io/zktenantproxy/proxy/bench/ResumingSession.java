package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.ScheduledFuture;
import io.zktenantproxy.protocol.FrameDecoder;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.JuteReader;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.proto.ConnectRequest;
import org.apache.zookeeper.proto.ConnectResponse;
import org.apache.zookeeper.proto.ReplyHeader;

/**
 * One ZooKeeper session on the raw wire protocol that outlives its connection the way the ZooKeeper Java client's
 * does ({@code ClientCnxn} and {@code StaticHostProvider}, 3.9), without the client's two threads per session:
 *
 * <ul>
 *   <li>its connect string is shuffled once; after a lost connection it tries the next address, after a random
 *       0 to 1 s pause ({@code startConnect}), and 1 s more when it comes back to the address it last connected to
 *       (the host provider's spin delay after a whole round);</li>
 *   <li>each attempt sends a {@code ConnectRequest} with the session id, password and requested timeout it had, and
 *       the last zxid it saw; the attempt is given up after the negotiated timeout divided by the number of
 *       addresses ({@code connectTimeout}) if no {@code ConnectResponse} came, and the next address is tried;</li>
 *   <li>a {@code ConnectResponse} with a timeout of 0 or less means the ensemble expired the session (or refused the
 *       password): the session is over, {@link #expired()};</li>
 *   <li>connected, it pings when it has sent nothing for a third of the negotiated timeout (less up to a second),
 *       and drops the connection when it has heard nothing for two thirds of it ({@code readTimeout}).</li>
 * </ul>
 *
 * <p>Over TLS (a client {@link SslContext}), every connection starts with Netty's {@code SslHandler}, as the
 * ZooKeeper client's Netty socket ({@code ClientCnxnSocketNetty}, {@code zookeeper.client.secure}) builds it: the
 * context's handler for the server's host and port, its handshake timeout left at Netty's default (10 s), the
 * {@code ConnectRequest} written when TCP connects and held by the handler until the handshake is done. The
 * {@code connectTimeout} runs from the attempt's start, so it covers TCP connect, TLS handshake and
 * {@code ConnectResponse} alike, as {@code ClientCnxn}'s does. A failed handshake ends the attempt like any lost
 * connection: the next address.
 *
 * <p>Every channel of a session is on one event loop, which owns all of its state: no locks. The figures it
 * keeps for the storm benchmark ({@link #lostAtNanos()}, {@link #resumedAtNanos()}, {@link #attempts()}) are read
 * by other threads once the session has settled, or only as a progress estimate before.
 */
final class ResumingSession {
    private static final byte[] PING = JuteFrames.request(Xids.PING, OpCode.PING.code());
    /** The frame's length, then its {@code ReplyHeader{xid, zxid, err}}. */
    private static final int REPLY_HEAD_BYTES = Integer.BYTES + Integer.BYTES + Long.BYTES + Integer.BYTES;
    /** {@code ClientCnxn}: a reconnect starts after a random pause below this, so that clients spread out. */
    private static final int RECONNECT_JITTER_MS = 1000;
    /** {@code ClientCnxn} asks its host provider for the next address with this spin delay. */
    private static final int SPIN_DELAY_MS = 1000;
    private static final long TICK_MS = 500;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final List<InetSocketAddress> servers;
    private final int requestedTimeoutMs;
    private final Random random;
    /** Null for plain TCP. */
    private final SslContext tls;
    private final CompletableFuture<ResumingSession> established = new CompletableFuture<>();

    private int index;
    private int lastConnectedIndex = -1;
    private boolean firstConnect = true;
    private long sessionId;
    private byte[] password = new byte[16];
    private long lastZxid;
    private int negotiatedMs;
    private Channel channel;
    private boolean connected;
    private boolean over;
    private ScheduledFuture<?> tick;
    private ScheduledFuture<?> connectDeadline;
    private long lastSentNanos;
    private long lastHeardNanos;
    /** The connection our own {@code connectTimeout} closed: its handshake failing then is not a TLS failure. */
    private Channel abandoned;

    private volatile boolean expired;
    private volatile long lostAtNanos;
    private volatile long resumedAtNanos;
    private volatile int attempts;
    private volatile int connectTimeouts;
    private volatile long pingReplies;
    private volatile int handshakeFailures;
    private volatile int handshakeTimeouts;
    private volatile long resumeHandshakeNanos;

    /**
     * @param bootstrap          a client bootstrap ({@link RawSession#bootstrap}); the session's channels use
     *                           {@code loop}
     * @param servers            the connect string's addresses; shuffled by {@code random} as the host provider does
     * @param first              the address of the first connection (a member of {@code servers})
     * @param requestedTimeoutMs the session timeout asked for in every {@code ConnectRequest}, ms
     * @param tls                the client context of every connection, null for plain TCP
     */
    private ResumingSession(EventLoop loop, Bootstrap bootstrap, List<InetSocketAddress> servers,
                            InetSocketAddress first, int requestedTimeoutMs, Random random, SslContext tls) {
        this.loop = loop;
        this.bootstrap = bootstrap.clone(loop);
        List<InetSocketAddress> shuffled = new ArrayList<>(servers);
        Collections.shuffle(shuffled, random);
        this.servers = List.copyOf(shuffled);
        this.index = this.servers.indexOf(first);
        this.requestedTimeoutMs = requestedTimeoutMs;
        this.random = random;
        this.tls = tls;
    }

    /**
     * Creates a new session through {@code first}, which must be one of {@code servers}.
     *
     * @return completes when the first {@code ConnectResponse} granted the session, exceptionally if it was refused
     *     or the connection failed (a new session is not retried elsewhere: the caller decides)
     */
    static CompletableFuture<ResumingSession> open(EventLoop loop, Bootstrap bootstrap, List<InetSocketAddress> servers,
                                                   InetSocketAddress first, int requestedTimeoutMs, long seed) {
        return open(loop, bootstrap, servers, first, requestedTimeoutMs, seed, null);
    }

    /**
     * As {@link #open(EventLoop, Bootstrap, List, InetSocketAddress, int, long)}, every connection (the first and each
     * resume) over TLS with {@code tls} unless it is null; the server's certificate is checked against the address's
     * host string (an IP literal such as {@code 127.0.0.1}) if the context verifies host names.
     */
    static CompletableFuture<ResumingSession> open(EventLoop loop, Bootstrap bootstrap, List<InetSocketAddress> servers,
                                                   InetSocketAddress first, int requestedTimeoutMs, long seed,
                                                   SslContext tls) {
        ResumingSession session = new ResumingSession(loop, bootstrap, servers, first, requestedTimeoutMs,
                new Random(seed), tls);
        loop.execute(session::connect);
        return session.established;
    }

    private void connect() {
        if (over) {
            return;
        }
        attempts++;
        InetSocketAddress server = servers.get(index);
        Channel ch = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                if (tls != null) {
                    c.pipeline().addLast(tls.newHandler(c.alloc(), server.getHostString(), server.getPort()));
                }
                c.pipeline().addLast(new FrameDecoder(FrameDecoder.DEFAULT_MAX_FRAME_LENGTH, false), new Handler());
            }
        }).connect(server).addListener(f -> {
            if (!f.isSuccess()) {
                lost();
            }
        }).channel();
        channel = ch;
        if (!firstConnect) {
            int connectTimeoutMs = negotiatedMs / servers.size();
            connectDeadline = loop.schedule(() -> {
                if (channel == ch && !connected) {
                    connectTimeouts++;
                    abandoned = ch;
                    ch.close();
                }
            }, connectTimeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    /** The current connection ended (or never opened): try the next address unless the session is over. */
    private void lost() {
        if (connectDeadline != null) {
            connectDeadline.cancel(false);
            connectDeadline = null;
        }
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
        if (connected) {
            connected = false;
            lostAtNanos = System.nanoTime();
            resumedAtNanos = 0;
        }
        if (over) {
            return;
        }
        if (firstConnect) {
            over = true;
            established.completeExceptionally(new IllegalStateException("connection lost before the session began"));
            return;
        }
        index = (index + 1) % servers.size();
        long delay = random.nextInt(RECONNECT_JITTER_MS) + (index == lastConnectedIndex ? SPIN_DELAY_MS : 0);
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void onConnectResponse(ConnectResponse response) {
        if (response.getTimeOut() <= 0) {
            // ClientCnxn: "session has expired"; the ensemble also answers a wrong password this way
            expired = true;
            over = true;
            channel.close();
            established.completeExceptionally(new IllegalStateException("session expired"));
            return;
        }
        if (connectDeadline != null) {
            connectDeadline.cancel(false);
            connectDeadline = null;
        }
        sessionId = response.getSessionId();
        password = response.getPasswd();
        negotiatedMs = response.getTimeOut();
        connected = true;
        lastConnectedIndex = index;
        lastHeardNanos = System.nanoTime();
        if (!firstConnect) {
            resumedAtNanos = lastHeardNanos;
        }
        firstConnect = false;
        tick = loop.scheduleAtFixedRate(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
        established.complete(this);
    }

    /** {@code ClientCnxn.SendThread}'s loop, connected: drop a silent connection, ping an idle one. */
    private void tick() {
        long now = System.nanoTime();
        long readTimeoutMs = negotiatedMs * 2L / 3;
        long idleRecvMs = TimeUnit.NANOSECONDS.toMillis(now - lastHeardNanos);
        long idleSendMs = TimeUnit.NANOSECONDS.toMillis(now - lastSentNanos);
        if (idleRecvMs >= readTimeoutMs) {
            channel.close();
            return;
        }
        // ClientCnxn pings up to a second early so that the ping arrives in time
        if (idleSendMs + (idleSendMs > 1000 ? 1000 : 0) >= readTimeoutMs / 2) {
            write(PING);
        }
    }

    private void write(byte[] frame) {
        lastSentNanos = System.nanoTime();
        channel.writeAndFlush(channel.alloc().buffer(frame.length).writeBytes(frame));
    }

    /** Ends the session's connection and stops reconnecting (the ensemble expires the session later). */
    void close() {
        loop.execute(() -> {
            over = true;
            if (channel != null) {
                channel.close();
            }
        });
    }

    /** One connection's handler; events of a connection that is no longer the session's are ignored. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private boolean handshaken;
        /** When TCP connected ({@link System#nanoTime()}): the TLS handshake starts then. */
        private long activeNanos;
        /** How long this connection's TLS handshake took, ns; 0 before it completed or without TLS. */
        private long tlsNanos;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ctx.channel() != channel) {
                ctx.close();
                return;
            }
            activeNanos = System.nanoTime();
            write(JuteFrames.frame(new ConnectRequest(0, lastZxid, requestedTimeoutMs, sessionId, password, false)));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (ctx.channel() != channel) {
                    return;
                }
                lastHeardNanos = System.nanoTime();
                if (!handshaken) {
                    handshaken = true;
                    if (!firstConnect) {
                        resumeHandshakeNanos = tlsNanos;
                    }
                    byte[] packet = ByteBufUtil.getBytes(frame, frame.readerIndex() + Integer.BYTES,
                            frame.readableBytes() - Integer.BYTES);
                    onConnectResponse(JuteReader.readFirst(packet, new ConnectResponse()));
                    return;
                }
                ReplyHeader header = JuteReader.replyHeader(ByteBufUtil.getBytes(frame, frame.readerIndex(),
                        REPLY_HEAD_BYTES));
                if (header.getZxid() > 0) {
                    lastZxid = header.getZxid();
                }
                if (header.getXid() == Xids.PING) {
                    pingReplies++;
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent done && ctx.channel() == channel) {
                if (done.isSuccess()) {
                    tlsNanos = System.nanoTime() - activeNanos;
                } else if (ctx.channel() != abandoned) {
                    // SslHandler closes the connection itself; channelInactive moves on to the next address
                    handshakeFailures++;
                    if (done.cause() instanceof SslHandshakeTimeoutException) {
                        handshakeTimeouts++;
                    }
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                lost();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** @return whether the ensemble answered a resume with an expired session (timeout 0) */
    boolean expired() {
        return expired;
    }

    /** @return {@link System#nanoTime()} when the last connection was lost, 0 if never */
    long lostAtNanos() {
        return lostAtNanos;
    }

    /** @return {@link System#nanoTime()} of the last resume's {@code ConnectResponse}, 0 if not resumed since lost */
    long resumedAtNanos() {
        return resumedAtNanos;
    }

    /** @return connection attempts so far, the first one included */
    int attempts() {
        return attempts;
    }

    /** @return attempts given up after {@code connectTimeout} without a {@code ConnectResponse} */
    int connectTimeouts() {
        return connectTimeouts;
    }

    /**
     * @return TLS handshakes that failed on connections of this session (the server closed the connection during
     *     it, a certificate was refused, or Netty's handshake timeout), not counting those cut short by
     *     {@code connectTimeout} ({@link #connectTimeouts()}); 0 without TLS
     */
    int handshakeFailures() {
        return handshakeFailures;
    }

    /** @return of {@link #handshakeFailures()}, those ended by the {@code SslHandler}'s handshake timeout */
    int handshakeTimeouts() {
        return handshakeTimeouts;
    }

    /**
     * @return the TLS handshake of the connection the session last resumed on, from TCP connected to handshake done,
     *     ns; 0 without TLS or before a resume
     */
    long resumeHandshakeNanos() {
        return resumeHandshakeNanos;
    }

    /** @return ping replies received, on every connection of the session */
    long pingReplies() {
        return pingReplies;
    }

    /** @return the session id the ensemble gave, 0 before */
    long sessionId() {
        return sessionId;
    }
}
