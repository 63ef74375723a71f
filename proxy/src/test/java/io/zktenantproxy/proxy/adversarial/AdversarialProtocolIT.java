package io.zktenantproxy.proxy.adversarial;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zktenantproxy.protocol.KeeperCode;
import io.zktenantproxy.protocol.OpCode;
import io.zktenantproxy.protocol.Xids;
import io.zktenantproxy.protocol.testkit.JuteFrames;
import io.zktenantproxy.protocol.testkit.RawFrame;
import io.zktenantproxy.protocol.testkit.ServerReply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.proto.AuthPacket;
import org.junit.jupiter.api.Test;

/**
 * Protocol attacks on the attacker's own connection: refused and unknown opcodes (answered in xid order), reserved
 * xids, every kind of malformed frame, a stream split byte by byte, four-letter words, pipelined floods and a client
 * that never reads. Each closing attack must close exactly that connection and count it under its reason.
 */
class AdversarialProtocolIT extends AdversarialBase {

    @Test
    void refusedOpcodesAreAnsweredInXidOrder() throws Exception {
        RawClient c = raw(proxy, ATTACKER);
        // everything in one write, the handshake included: the refusals wait for the ConnectResponse and for every
        // earlier forwarded request
        Map<Integer, Integer> expected = new LinkedHashMap<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(JuteFrames.connectRequest());
        int reconfig = OpCode.RECONFIG.code();
        // 99, -50, 1000 and MIN_VALUE are opcodes ZooKeeper lacks
        int[][] requests = {{reconfig, KeeperCode.RECONFIG_DISABLED}, {OpCode.GET_DATA.code(), 0},
            {reconfig, KeeperCode.RECONFIG_DISABLED}, {OpCode.EXISTS.code(), 0},
            {OpCode.CREATE_SESSION.code(), KeeperCode.UNIMPLEMENTED}, {OpCode.DELETE_CONTAINER.code(),
                KeeperCode.UNIMPLEMENTED}, {99, KeeperCode.UNIMPLEMENTED}, {-50, KeeperCode.UNIMPLEMENTED},
            {OpCode.NOTIFICATION.code(), KeeperCode.UNIMPLEMENTED}, {OpCode.ERROR.code(), KeeperCode.UNIMPLEMENTED},
            {OpCode.GET_CHILDREN.code(), 0}, {OpCode.WHO_AM_I.code(), 0}, {1000, KeeperCode.UNIMPLEMENTED},
            {Integer.MIN_VALUE, KeeperCode.UNIMPLEMENTED}};
        int xid = 0;
        for (int[] r : requests) {
            xid++;
            OpCode op = OpCode.of(r[0]);
            byte[] frame = op == OpCode.GET_DATA || op == OpCode.EXISTS || op == OpCode.GET_CHILDREN
                    ? RawFrame.pathRequest(xid, op, bytes("/own"))
                    : r[0] == reconfig ? reconfig(xid)
                    : JuteFrames.request(xid, r[0]);
            all.writeBytes(frame);
            expected.put(xid, r[1]);
        }
        c.send(all.toByteArray());
        assertTrue(c.readConnectResponse().getTimeOut() > 0, "the ConnectResponse comes first");
        for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
            ServerReply reply = c.replyTo(e.getKey());
            assertEquals(e.getValue(), reply.err(), "xid " + e.getKey());
        }
        assertTrue(c.isOpenAfterPing(), "refusals do not close the connection");
    }

    @Test
    void reservedXidsClose() throws Exception {
        byte[][] attacks = {
            RawFrame.pathRequest(-1, OpCode.GET_DATA, bytes("/own")),
            RawFrame.pathRequest(-3, OpCode.GET_DATA, bytes("/own")),
            RawFrame.pathRequest(-3, OpCode.CREATE, bytes("/x")),
            RawFrame.pathRequest(-2, OpCode.EXISTS, bytes("/own")),
            RawFrame.pathRequest(-4, OpCode.GET_CHILDREN, bytes("/")),
            JuteFrames.request(7, OpCode.PING.code()),
            JuteFrames.request(8, OpCode.AUTH.code(), new AuthPacket(0, "digest", bytes("a:b")))};
        for (byte[] attack : attacks) {
            RawClient c = attacker();
            double before = closedCount(proxy, ATTACKER, "protocol_xid");
            c.send(attack);
            assertClosed(c, proxy, ATTACKER, "protocol_xid", before);
        }
    }

    /** One malformed stream: its name, what to send after the handshake (or instead of it), the close reason. */
    private record Malformed(String name, boolean afterHandshake, byte[] bytes, String reason) {
    }

    @Test
    void malformedFramesCloseTheConnection() throws Exception {
        byte[] getData = RawFrame.pathRequest(1, OpCode.GET_DATA, bytes("/own"));
        List<Malformed> cases = List.of(
                new Malformed("negative length", true, RawFrame.body().i(-5).i(1).bytes(), "protocol_frame_length"),
                new Malformed("length -1 first", false, RawFrame.body().i(-1).bytes(), "protocol_frame_length"),
                new Malformed("huge length", true, RawFrame.body().i(1024 * 1024 + 1025).i(1).bytes(),
                        "protocol_frame_length"),
                new Malformed("max int length", false, RawFrame.body().i(Integer.MAX_VALUE).bytes(),
                        "protocol_frame_length"),
                new Malformed("four-letter word after the handshake", true, bytes("ruok"), "protocol_frame_length"),
                new Malformed("empty frame", true, RawFrame.body().frame(), "protocol_truncated"),
                new Malformed("header only half", true, RawFrame.body().i(1).frame(), "protocol_truncated"),
                new Malformed("record without its last field", true,
                        RawFrame.request(1, OpCode.GET_DATA.code()).str("/own").frame(), "protocol_truncated"),
                new Malformed("create without flags", true, RawFrame.request(1, OpCode.CREATE.code()).str("/x")
                        .buf(bytes("d")).openAcl().frame(), "protocol_truncated"),
                new Malformed("path length past the frame", true,
                        RawFrame.request(1, OpCode.GET_DATA.code()).i(100).raw(bytes("/own")).bool(false).frame(),
                        "protocol_truncated"),
                new Malformed("data length past the frame", true, RawFrame.request(1, OpCode.CREATE.code())
                        .str("/x").i(5000).raw(bytes("abc")).frame(), "protocol_truncated"),
                new Malformed("path length below -1", true,
                        RawFrame.request(1, OpCode.GET_DATA.code()).i(-7).bool(false).frame(), "protocol_truncated"),
                new Malformed("watch list count too big", true, RawFrame.request(1, OpCode.SET_WATCHES.code())
                        .l(0).i(0x10000000).frame(), "protocol_truncated"),
                new Malformed("ACL count too big", true, RawFrame.request(1, OpCode.CREATE.code()).str("/x")
                        .buf(bytes("d")).i(Integer.MAX_VALUE).i(0).frame(), "protocol_truncated"),
                new Malformed("ACL count too big inside a multi", true, RawFrame.request(1, OpCode.MULTI.code())
                        .i(OpCode.CREATE.code()).bool(false).i(-1).str("/x").i(-1).i(700_000_000).frame(),
                        "protocol_truncated"),
                new Malformed("multi without its end", true, RawFrame.request(1, OpCode.MULTI.code())
                        .i(OpCode.DELETE.code()).bool(false).i(-1).str("/x").i(-1).frame(), "protocol_truncated"),
                new Malformed("bytes left over", true, JuteFrames.concat(
                        RawFrame.request(1, OpCode.EXISTS.code()).str("/own").bool(false).b(1).b(2).b(3).frame()),
                        "protocol_trailing_bytes"),
                new Malformed("bytes after a ping", true, RawFrame.request(Xids.PING, OpCode.PING.code()).i(0).frame(),
                        "protocol_trailing_bytes"),
                new Malformed("bytes after the multi end", true, RawFrame.request(1, OpCode.MULTI.code())
                        .i(-1).bool(true).i(-1).i(42).frame(), "protocol_trailing_bytes"),
                new Malformed("boolean 2", true,
                        RawFrame.request(1, OpCode.EXISTS.code()).str("/own").b(2).frame(), "protocol_malformed_field"),
                new Malformed("boolean -1 in a multi header", true, RawFrame.request(1, OpCode.MULTI.code())
                        .i(-1).b(0xff).i(-1).frame(), "protocol_malformed_field"),
                new Malformed("invalid UTF-8 path", true, RawFrame.request(1, OpCode.GET_DATA.code())
                        .buf(new byte[] {'/', (byte) 0xc0, (byte) 0xaf}).bool(false).frame(),
                        "protocol_malformed_field"),
                new Malformed("UTF-8 surrogate path", true, RawFrame.request(1, OpCode.CREATE.code())
                        .buf(new byte[] {'/', (byte) 0xed, (byte) 0xa0, (byte) 0x80}).buf(bytes("d")).openAcl().i(0)
                        .frame(), "protocol_malformed_field"),
                new Malformed("invalid UTF-8 in a multi", true, RawFrame.request(1, OpCode.MULTI.code())
                        .i(OpCode.DELETE.code()).bool(false).i(-1).buf(new byte[] {'/', (byte) 0xff}).i(-1)
                        .i(-1).bool(true).i(-1).frame(), "protocol_malformed_field"),
                new Malformed("invalid UTF-8 in a watch list", true, RawFrame.request(1, OpCode.SET_WATCHES.code())
                        .l(0).strings(new byte[] {'/', (byte) 0x80}).strings().strings().frame(),
                        "protocol_malformed_field"),
                new Malformed("invalid UTF-8 in an ACL id", true, RawFrame.request(1, OpCode.CREATE.code())
                        .str("/x").buf(bytes("d")).i(1).i(31).str("world").buf(new byte[] {(byte) 0xfe}).i(0).frame(),
                        "protocol_malformed_field"),
                new Malformed("garbage before the handshake", false,
                        RawFrame.body().i(10).raw(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}).bytes(),
                        "protocol_handshake"),
                new Malformed("a request before the handshake", false, getData, "protocol_handshake"),
                new Malformed("a handshake with bytes left over", false,
                        RawFrame.body().i(0).l(0).i(30_000).l(0).buf(new byte[16]).bool(false).i(7).frame(),
                        "protocol_handshake"),
                new Malformed("a handshake with a bad password length", false,
                        RawFrame.body().i(0).l(0).i(30_000).l(0).i(1000).frame(), "protocol_handshake"));
        for (Malformed m : cases) {
            RawClient c = m.afterHandshake() ? attacker() : raw(proxy, ATTACKER);
            double before = closedCount(proxy, ATTACKER, m.reason());
            c.send(m.bytes());
            try {
                assertClosed(c, proxy, ATTACKER, m.reason(), before);
            } catch (AssertionError e) {
                throw new AssertionError(m.name() + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void repliesAlreadyDueAreDeliveredBeforeTheClose() throws Exception {
        RawClient c = attacker();
        // once this reply is in, nothing is pending (the proxy's own marker create went upstream before it), so the
        // refusals below are due at once; a refusal queued behind a pending request dies with the connection
        assertEquals(0, c.call(1, RawFrame.pathRequest(1, OpCode.EXISTS, bytes("/own"))).err());
        double before = closedCount(proxy, ATTACKER, "protocol_xid");
        c.send(JuteFrames.concat(reconfig(2),
                JuteFrames.request(3, 99), RawFrame.pathRequest(-1, OpCode.GET_DATA, bytes("/own"))));
        assertEquals(KeeperCode.RECONFIG_DISABLED, c.replyTo(2).err());
        assertEquals(KeeperCode.UNIMPLEMENTED, c.replyTo(3).err());
        assertClosed(c, proxy, ATTACKER, "protocol_xid", before);
    }

    @Test
    void aStreamSplitByteByByteStillWorks() throws Exception {
        RawClient c = raw(proxy, ATTACKER);
        c.sendByteByByte(JuteFrames.connectRequest());
        assertTrue(c.readConnectResponse().getTimeOut() > 0);
        RawFrame create = RawFrame.request(1, OpCode.CREATE.code());
        create.pathRecord(OpCode.CREATE, bytes("/bytewise"), 0);
        c.sendByteByByte(create.frame());
        assertEquals("/bytewise", c.replyTo(1).path());
        c.sendByteByByte(JuteFrames.concat(RawFrame.pathRequest(2, OpCode.GET_DATA, bytes("/bytewise")),
                reconfig(3),
                RawFrame.multi(4, OpCode.MULTI, OpCode.SET_DATA, bytes("/bytewise"), OpCode.DELETE,
                        bytes("/bytewise"))));
        assertEquals(0, c.replyTo(2).err());
        assertEquals(KeeperCode.RECONFIG_DISABLED, c.replyTo(3).err());
        assertEquals(0, c.replyTo(4).err());
        assertEquals(null, direct.exists(ATTACKER_ROOT + "/bytewise", false));
    }

    @Test
    void fourLetterWordsAreAnsweredByTheProxyAlone() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String word : List.of("ruok", "isro", "srvr", "stat", "cons", "dump", "wchp", "wchc", "wchs", "mntr",
                "envi", "conf", "crst", "srst", "dirs", "gtmk", "stmk", "hash", "torq")) {
            double before = closedCount(proxy, ATTACKER, "four_letter_word");
            RawClient c = raw(proxy, ATTACKER);
            c.send(bytes(word));
            String answer = c.readToClose();
            assertNotNull(answer, word + " not answered and closed");
            answers.put(word, answer);
            await().atMost(WAIT).until(() -> closedCount(proxy, ATTACKER, "four_letter_word") == before + 1);
        }
        assertEquals("imok", answers.get("ruok"));
        assertEquals("rw", answers.get("isro"));
        for (String word : List.of("srvr", "stat")) {
            String a = answers.get(word);
            assertTrue(a.contains("Mode: proxy"), word + ": " + a);
            // the ensemble's own answer has latencies, zxids, node counts and (stat) every client connection
            for (String ensembleOnly : List.of("Latency", "Zxid", "Node count", "Received", "/127.0.0.1", "sid=")) {
                assertFalse(a.contains(ensembleOnly), word + " reached the ensemble: " + a);
            }
        }
        // the ensemble whitelists every word in this suite (Upstreams): an answer naming the whitelist is the proxy's
        for (String word : answers.keySet()) {
            if (!List.of("ruok", "isro", "srvr", "stat").contains(word)) {
                assertEquals(word + " is not executed because it is not in the whitelist.\n", answers.get(word));
            }
        }
    }

    @Test
    void aPipelinedFloodIsAnsweredInOrder() throws Exception {
        RawClient c = attacker();
        int n = 5000;
        int[] expectedErr = new int[n + 1];
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int xid = 1; xid <= n; xid++) {
            switch (xid % 5) {
                case 0 -> {
                    all.writeBytes(RawFrame.pathRequest(xid, OpCode.EXISTS, bytes("/own")));
                    expectedErr[xid] = 0;
                }
                case 1 -> {
                    all.writeBytes(JuteFrames.request(xid, 99));
                    expectedErr[xid] = KeeperCode.UNIMPLEMENTED;
                }
                case 2 -> {
                    all.writeBytes(RawFrame.pathRequest(xid, OpCode.GET_DATA, bytes("/nope")));
                    expectedErr[xid] = KeeperCode.NO_NODE;
                }
                case 3 -> {
                    all.writeBytes(RawFrame.pathRequest(xid, OpCode.GET_DATA, bytes("/../t12/secret")));
                    expectedErr[xid] = KeeperCode.BAD_ARGUMENTS;
                }
                default -> {
                    all.writeBytes(RawFrame.pathRequest(xid, OpCode.GET_DATA, bytes("/zookeeper/config")));
                    expectedErr[xid] = 0;
                }
            }
        }
        byte[] stream = all.toByteArray();
        Thread writer = new Thread(() -> {
            try {
                c.send(stream);
            } catch (IOException e) {
                // the reader fails the test
            }
        }, "flood-writer");
        writer.start();
        for (int xid = 1; xid <= n; xid++) {
            assertEquals(expectedErr[xid], c.replyTo(xid).err(), "xid " + xid);
        }
        writer.join(WAIT.toMillis());
        assertTrue(c.isOpenAfterPing());
    }

    /**
     * A client that floods requests the proxy answers itself and never reads its replies: the proxy must stop reading
     * it once the replies pile up, not buffer them without bound. Measured by the bytes the proxy wrote to the client
     * (zktp_bytes_total out) while the client read nothing; the client's receive buffer is small, so little of that
     * can be in the kernel.
     */
    @Test
    void aClientThatNeverReadsCannotMakeTheProxyBuffer() throws Exception {
        RawClient c = track(RawClient.open("never-reads", proxy.address(ATTACKER), 16 * 1024));
        assertTrue(c.handshake().getTimeOut() > 0);
        double outBefore = bytesOut(proxy, ATTACKER);
        int n = 1_000_000; // 12 MB of requests, 20 MB of replies
        byte[] chunk = new byte[12 * 1000];
        AtomicLong sent = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = c.socket().getOutputStream();
                for (int i = 0; i < n / 1000; i++) {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(chunk);
                    for (int k = 0; k < 1000; k++) {
                        b.putInt(8).putInt(i * 1000 + k + 1).putInt(99);
                    }
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // closed by the test
            } finally {
                done.set(true);
            }
        }, "never-reads-writer");
        writer.setDaemon(true);
        writer.start();
        // wait until the writer is done or makes no progress for a while (the proxy stopped reading it)
        AtomicLong lastSent = new AtomicLong(-1);
        AtomicLong lastChange = new AtomicLong(System.nanoTime());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            long now = sent.get();
            if (now != lastSent.getAndSet(now)) {
                lastChange.set(System.nanoTime());
            }
            return done.get() || System.nanoTime() - lastChange.get() > Duration.ofSeconds(3).toNanos();
        });
        double buffered = bytesOut(proxy, ATTACKER) - outBefore;
        try {
            assertTrue(buffered < 8 * 1024 * 1024, "the proxy wrote " + (long) buffered + " bytes to a client that"
                    + " read nothing (" + sent.get() + " bytes of requests accepted)");
        } finally {
            c.close();
            writer.join(WAIT.toMillis());
        }
    }

    @Test
    void nullVectorsAndBuffersReachNoOneElse() throws Exception {
        RawClient c = attacker();
        c.call(1, RawFrame.request(1, OpCode.SET_WATCHES.code()).l(0).i(-1).i(-1).i(-1).frame());
        RawFrame create = RawFrame.request(2, OpCode.CREATE.code()).str("/nulls").buf(null).i(-1).i(0);
        assertEquals(KeeperCode.INVALID_ACL, c.call(2, create.frame()).err());
        RawFrame create2 = RawFrame.request(3, OpCode.CREATE.code()).str("/nulls").buf(null).openAcl().i(0);
        assertEquals("/nulls", c.call(3, create2.frame()).path());
        assertEquals(0, c.call(4, RawFrame.request(4, OpCode.SET_DATA.code()).str("/nulls").buf(null).i(-1).frame())
                .err());
        c.isOpenAfterPing();
        assertNotNull(direct.exists(ATTACKER_ROOT + "/nulls", false));
    }

    static double bytesOut(io.zktenantproxy.proxy.server.ProxyServer server, String tenant) {
        for (String line : server.metrics().scrape().split("\n")) {
            if (line.startsWith("zktp_bytes_total{") && line.contains("direction=\"out\"")
                    && line.contains("tenant=\"" + tenant + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no zktp_bytes_total out for " + tenant);
    }

}
