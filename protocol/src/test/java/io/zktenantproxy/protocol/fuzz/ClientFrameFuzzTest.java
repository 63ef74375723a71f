package io.zktenantproxy.protocol.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.zktenantproxy.protocol.AclPolicy;
import io.zktenantproxy.protocol.FourLetterWord;
import io.zktenantproxy.protocol.FrameDecoder;
import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.ProtocolException;
import io.zktenantproxy.protocol.QuotaCharge;
import io.zktenantproxy.protocol.QuotaKind;
import io.zktenantproxy.protocol.RequestOutcome;
import io.zktenantproxy.protocol.SessionQuotas;
import io.zktenantproxy.protocol.TenantChroot;
import io.zktenantproxy.protocol.TenantConnection;
import io.zktenantproxy.protocol.UpstreamIdentity;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.ZnodeQuota;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.TrackingAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes everything a hostile client controls: its bytes go through {@link FrameDecoder} (in an
 * {@link EmbeddedChannel}, fed whole, byte by byte or in odd chunks) and {@link TenantConnection#onClientFrame} of a
 * tenant whose chroot {@code /tenants/t1} is a string prefix of its neighbour's ({@code /tenants/t12}).
 *
 * <p>Input layout: byte 0 holds flags (bit 0: ACL policy with an operator identity; bit 1: the server's
 * ConnectResponse arrives before the client's frames; bit 2: the harness sends no ConnectRequest, the input is the
 * whole stream; bits 3-4: chunking; bit 5: a small znode quota; bit 6: a tenant identity upstream, which overrides
 * bit 0); the rest is the client's byte stream after its ConnectRequest.
 *
 * <p>Invariants: the only exception is {@link ProtocolException}; every forwarded frame is one well-formed record
 * whose paths lie in the chroot ({@link ForwardedRequests}); once the server answers every forwarded request in
 * order, the client receives one reply per request, in request order (pings and auth aside); no buffer leaks.
 */
class ClientFrameFuzzTest {
    static final String ROOT = "/tenants/t1";
    static final TenantChroot CHROOT = new TenantChroot(ROOT);
    static final byte[] ENSEMBLE_CONFIG = "server.1=127.0.0.1:2888:3888:participant;127.0.0.1:7451\nversion=0"
            .getBytes(StandardCharsets.US_ASCII);
    static final String OPERATOR_ID = "zktp-ops:4LQj1L2nBy8Zh5TkBrUtkT2eWJE=";
    static final String TENANT_ID = "zktp-tenant-t1:yZ2Zb3vJ0m9dZ1Xw0pQvE8Tq2cU=";
    /** Small, so the fuzzer reaches the frame length bound easily. */
    static final int MAX_FRAME = 4096;

    @FuzzTest(maxDuration = "30s")
    void fuzzClientFrames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        new Run(input[0] & 0xff).run(input);
    }

    /** One connection's life. */
    /**
     * A znode quota of three, never waiting: fuzzed writes go through the charge reader and some are refused
     * with QUOTAEXCEEDED, in xid order like any refusal.
     */
    private static final class SmallQuota implements ZnodeQuota {
        private long znodes;

        @Override
        public Decision reserve(QuotaCharge charge, boolean mayWait) {
            if (znodes + charge.znodes() > 3) {
                return new Refuse(QuotaKind.ZNODES, 0);
            }
            znodes += charge.znodes();
            return ADMIT;
        }

        @Override
        public void settle(QuotaCharge charge, Boolean applied) {
            if (Boolean.FALSE.equals(applied)) {
                znodes -= charge.znodes();
            }
        }
    }

    private static final class Run {
        private final int flags;
        private final boolean isolating;
        private final TrackingAllocator alloc = new TrackingAllocator();
        private final TenantConnection connection;
        private final ForwardedRequests oracle;
        private final EmbeddedChannel channel = new EmbeddedChannel();
        private final List<ByteBuf> toClient = new ArrayList<>();
        /** Xids of requests the client must get a reply to, in order. */
        private final List<Integer> expectedXids = new ArrayList<>();
        /** Xids (with their opcode) the harness must answer as the server, in order. */
        private final List<int[]> forwarded = new ArrayList<>();
        private boolean dead;
        private boolean serverHandshakeDone;
        private boolean clientHandshakeSeen;

        Run(int flags) {
            this.flags = flags;
            boolean operator = (flags & 1) != 0;
            boolean quotas = (flags & 32) != 0;
            this.isolating = (flags & 64) != 0;
            AclPolicy policy = isolating ? AclPolicy.isolating(new UpstreamIdentity(
                    List.of("zktp-tenant-t1:pw".getBytes(StandardCharsets.UTF_8)), List.of(TENANT_ID),
                    List.of(OPERATOR_ID), auth -> "own:" + auth.length))
                    : operator ? AclPolicy.appendOperator("digest", OPERATOR_ID) : AclPolicy.NONE;
            this.connection = new TenantConnection(CHROOT, policy,
                    quotas ? new SessionQuotas(new SmallQuota(), 256, 2) : SessionQuotas.NONE,
                    io.zktenantproxy.protocol.EnsembleFeatures.unknown(), ENSEMBLE_CONFIG,
                    toClient::add, TenantConnection.Observer.NONE);
            this.oracle = new ForwardedRequests(ROOT, operator || isolating ? "digest" : null, OPERATOR_ID, isolating);
            channel.config().setAllocator(alloc);
            channel.pipeline().addLast(new FrameDecoder(MAX_FRAME, true));
        }

        void run(byte[] input) {
            try {
                if ((flags & 4) == 0) {
                    feed(JuteFrames.connectRequest(), 0, JuteFrames.connectRequest().length, 0);
                }
                if ((flags & 2) != 0 && clientHandshakeSeen) {
                    serverHandshake();
                }
                feed(input, 1, input.length, (flags >> 3) & 3);
                if (!dead && clientHandshakeSeen) {
                    if (!serverHandshakeDone) {
                        serverHandshake();
                    }
                    answerEverything();
                    checkReplies();
                }
            } finally {
                connection.release();
                toClient.forEach(ByteBuf::release);
                channel.finishAndReleaseAll();
                alloc.assertAllReleased();
            }
        }

        private void feed(byte[] input, int from, int to, int chunking) {
            int step = switch (chunking) {
                case 0 -> Integer.MAX_VALUE;
                case 1 -> 1;
                case 2 -> 7;
                default -> 4099;
            };
            for (int i = from; i < to && !dead; ) {
                int n = (int) Math.min(step, (long) to - i);
                ByteBuf chunk = alloc.buffer(n).writeBytes(input, i, n);
                i += n;
                try {
                    channel.writeInbound(chunk);
                } catch (ProtocolException e) {
                    dead = true; // the frames decoded before the error still reach the connection
                }
                drainFrames();
            }
        }

        private void drainFrames() {
            Object msg;
            while ((msg = channel.readInbound()) != null) {
                if (msg instanceof FourLetterWord) {
                    dead = true; // answered by the server module, which then closes
                    continue;
                }
                ByteBuf frame = (ByteBuf) msg;
                try {
                    if (!dead) {
                        onFrame(frame);
                    }
                } catch (ProtocolException e) {
                    dead = true;
                } finally {
                    frame.release();
                }
            }
        }

        private void onFrame(ByteBuf frame) {
            RequestOutcome result = connection.onClientFrame(frame, alloc);
            if (result instanceof RequestOutcome.Connect connect) {
                connect.toUpstream().release();
                clientHandshakeSeen = true;
            } else if (result instanceof RequestOutcome.Forward forward) {
                byte[] bytes = ByteBufUtil.getBytes(forward.toUpstream());
                forward.toUpstream().release();
                oracle.check(bytes, forward.xid(), forward.op());
                forwarded.add(new int[] {forward.xid(), forward.op().code()});
                if (forward.op() != OpCode.PING && forward.op() != OpCode.AUTH) {
                    expectedXids.add(forward.xid());
                }
            } else if (result instanceof RequestOutcome.Refuse answered) {
                expect(answered.err() != 0 || answered.opCode() == OpCode.GET_DATA.code(),
                        "a request answered OK by the proxy other than the ensemble config read");
                expectedXids.add(answered.xid());
            } else if (result instanceof RequestOutcome.RefuseMulti answered) {
                expect(answered.err() != 0, "a request answered OK by the proxy other than the ensemble config read");
                expectedXids.add(answered.xid());
            } else if (result instanceof RequestOutcome.AnswerLocally answered) {
                expect(answered.op() == OpCode.GET_DATA,
                        "a request answered OK by the proxy other than the ensemble config read");
                expectedXids.add(answered.xid());
            } else {
                expect(false, "unexpected outcome " + result);
            }
        }

        private void serverHandshake() {
            ByteBuf response = alloc.buffer().writeBytes(JuteFrames.connectResponse(0x1234));
            try {
                connection.onServerFrame(response, alloc);
            } finally {
                response.release();
            }
            serverHandshakeDone = true;
            if (isolating) { // the reply to the tenant identity's auth packet is the proxy's alone
                int before = toClient.size();
                ByteBuf auth = alloc.buffer().writeBytes(JuteFrames.reply(Xids.AUTH, 0, KeeperCode.OK));
                try {
                    connection.onServerFrame(auth, alloc);
                } finally {
                    auth.release();
                }
                if (toClient.size() != before) {
                    throw new AssertionError("the proxy's own auth reply reached the client");
                }
            }
        }

        /** Plays the server: a header-only NONODE reply to every forwarded request, in order. */
        private void answerEverything() {
            for (int[] request : forwarded) {
                int xid = request[0];
                int err = request[1] == OpCode.PING.code() || request[1] == OpCode.AUTH.code() ? 0 : KeeperCode.NO_NODE;
                byte[] frame = JuteFrames.reply(xid, 7, err);
                ByteBuf reply = alloc.buffer(frame.length).writeBytes(frame);
                try {
                    connection.onServerFrame(reply, alloc);
                } finally {
                    reply.release();
                }
            }
        }

        private void checkReplies() {
            expect(!toClient.isEmpty(), "no ConnectResponse");
            List<Integer> seen = new ArrayList<>();
            for (int i = 1; i < toClient.size(); i++) {
                ByteBuf reply = toClient.get(i);
                expect(reply.readableBytes() >= 20 && reply.getInt(reply.readerIndex()) == reply.readableBytes() - 4,
                        "a reply frame with a wrong length");
                int xid = reply.getInt(reply.readerIndex() + 4);
                if (xid != Xids.PING && xid != Xids.AUTH) {
                    seen.add(xid);
                }
            }
            expect(seen.equals(expectedXids), "replies " + seen + " (expected: " + expectedXids + ")");
        }
    }

    static void expect(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
