package io.zktenantproxy.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives one {@link TenantConnection} the way the proxy's handlers do: every input frame is a buffer of its own,
 * released right after the call, and every output is copied out and released. {@link #close()} then proves that
 * nothing leaked.
 */
final class ConnectionDriver implements AutoCloseable {
    static final String CHROOT = GoldenCases.CHROOT;
    static final byte[] ENSEMBLE_CONFIG =
            "server.1=proxy.example:2888:3888:participant;0.0.0.0:2181\nversion=100000000".getBytes(
                    StandardCharsets.US_ASCII);
    static final byte[] CONNECT_REQUEST = JuteFrames.connectRequest();
    static final byte[] CONNECT_RESPONSE = JuteFrames.connectResponse(0x1234L);

    /** What one client frame turned into: the result, and the upstream bytes if it was forwarded. */
    record Sent(RequestOutcome result, byte[] upstream, boolean sameBuffer) {
        Answered answered() {
            if (result instanceof RequestOutcome.Refuse refuse) {
                return new Answered(refuse.xid(), refuse.opCode(), refuse.err(), refuse.reason());
            }
            if (result instanceof RequestOutcome.RefuseMulti multi) {
                return new Answered(multi.xid(), OpCode.MULTI.code(), multi.err(), multi.reason());
            }
            RequestOutcome.AnswerLocally local = assertInstanceOf(RequestOutcome.AnswerLocally.class, result);
            return new Answered(local.xid(), local.op().code(), KeeperCode.OK, "answered locally");
        }
    }

    /** A request the proxy answered itself, whichever outcome said so. */
    record Answered(int xid, int opCode, int err, String reason) {
    }

    /** What one server frame turned into: the frames for the client, and whether the first is the input buffer. */
    record Received(List<byte[]> toClient, boolean sameBuffer) {
    }

    final TrackingAllocator alloc = new TrackingAllocator();
    final TenantConnection connection;
    private final List<ByteBuf> toClient = new ArrayList<>();

    ConnectionDriver(String chroot) {
        this(chroot, TenantConnection.Observer.NONE);
    }

    /** @param observer sees what the connection reports (replies, watch events, the proxy's own replies) */
    ConnectionDriver(String chroot, TenantConnection.Observer observer) {
        this(chroot, SessionQuotas.NONE, observer);
    }

    /** @param quotas what the connection's writes and watches are checked against */
    ConnectionDriver(String chroot, SessionQuotas quotas, TenantConnection.Observer observer) {
        this(chroot, AclPolicy.NONE, quotas, observer);
    }

    /** @param aclPolicy what the connection does to ACL lists and identity replies */
    ConnectionDriver(String chroot, AclPolicy aclPolicy, SessionQuotas quotas, TenantConnection.Observer observer) {
        this(chroot, aclPolicy, quotas, EnsembleFeatures.unknown(), observer);
    }

    /** @param ensemble which opcodes the ensemble implements */
    ConnectionDriver(String chroot, AclPolicy aclPolicy, SessionQuotas quotas, EnsembleFeatures ensemble,
                     TenantConnection.Observer observer) {
        connection = new TenantConnection(new TenantChroot(chroot), aclPolicy, quotas, ensemble, ENSEMBLE_CONFIG,
                toClient::add, observer);
    }

    /** A session past its handshake with {@code quotas}. */
    static ConnectionDriver established(SessionQuotas quotas, TenantConnection.Observer observer) {
        ConnectionDriver session = new ConnectionDriver(CHROOT, quotas, observer);
        session.client(CONNECT_REQUEST);
        assertEquals(1, session.server(CONNECT_RESPONSE).toClient().size());
        return session;
    }

    /** Hands a frame again that was held ({@link RequestOutcome.Hold}). */
    Sent held(byte[] frame) {
        ByteBuf in = alloc.wrap(frame);
        try {
            RequestOutcome result = connection.onHeldFrame(in, alloc);
            if (result instanceof RequestOutcome.Forward forward) {
                try {
                    return new Sent(result, bytes(forward.toUpstream()), false);
                } finally {
                    forward.toUpstream().release();
                }
            }
            return new Sent(result, null, false);
        } finally {
            in.release();
        }
    }

    /** A session past its handshake with an ensemble of {@code ensemble}'s release. */
    static ConnectionDriver established(EnsembleFeatures ensemble) {
        ConnectionDriver session = new ConnectionDriver(CHROOT, AclPolicy.NONE, SessionQuotas.NONE, ensemble,
                TenantConnection.Observer.NONE);
        session.client(CONNECT_REQUEST);
        assertEquals(1, session.server(CONNECT_RESPONSE).toClient().size());
        return session;
    }

    /** A session past its handshake, nothing pending, nothing waiting for the client. */
    static ConnectionDriver established() {
        ConnectionDriver session = new ConnectionDriver(CHROOT);
        session.client(CONNECT_REQUEST);
        assertEquals(1, session.server(CONNECT_RESPONSE).toClient().size());
        return session;
    }

    Sent client(byte[] frame) {
        ByteBuf in = alloc.wrap(frame);
        try {
            RequestOutcome result = connection.onClientFrame(in, alloc);
            ByteBuf out = null;
            if (result instanceof RequestOutcome.Forward forward) {
                out = forward.toUpstream();
            } else if (result instanceof RequestOutcome.Connect connect) {
                out = connect.toUpstream();
            }
            if (out == null) {
                return new Sent(result, null, false);
            }
            try {
                return new Sent(result, bytes(out), out == in);
            } finally {
                out.release();
            }
        } finally {
            in.release();
        }
    }

    /** Sends a frame that must be forwarded, and returns what went upstream. */
    byte[] forward(byte[] frame) {
        Sent sent = client(frame);
        assertInstanceOf(RequestOutcome.Forward.class, sent.result());
        return sent.upstream();
    }

    Received server(byte[] frame) {
        ByteBuf in = alloc.wrap(frame);
        try {
            connection.onServerFrame(in, alloc);
            boolean same = !toClient.isEmpty() && toClient.get(0) == in;
            return new Received(drainToClient(), same);
        } finally {
            in.release();
        }
    }

    /** Takes (and releases) whatever reached the client so far. */
    List<byte[]> drainToClient() {
        List<byte[]> frames = new ArrayList<>();
        for (ByteBuf buf : toClient) {
            frames.add(bytes(buf));
            buf.release();
        }
        toClient.clear();
        return frames;
    }

    static byte[] bytes(ByteBuf buf) {
        return ByteBufUtil.getBytes(buf, buf.readerIndex(), buf.readableBytes());
    }

    /** Releases what is left and fails if any buffer the session allocated is still referenced. */
    @Override
    public void close() {
        drainToClient();
        connection.release();
        alloc.assertAllReleased();
    }
}
