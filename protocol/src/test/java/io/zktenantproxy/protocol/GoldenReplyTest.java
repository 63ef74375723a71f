package io.zktenantproxy.protocol;

import static io.zktenantproxy.protocol.testkit.GoldenReplies.ZXID;
import static io.zktenantproxy.protocol.testkit.JuteReader.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.zktenantproxy.protocol.testkit.GoldenCases;
import io.zktenantproxy.protocol.testkit.GoldenReplies;
import io.zktenantproxy.protocol.testkit.GoldenReplies.Reply;
import io.zktenantproxy.protocol.testkit.JuteReader;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.jute.Record;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.proto.ReplyHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden bytes, server to client ({@link GoldenReplies}): each reply is serialised by the official jute records (and
 * ZooKeeper's own {@link MultiResponse}) for the request pending before it; what reaches the client must be what jute
 * writes for the same records with the chroot stripped (or the server's very buffer, where nothing is a path), and
 * jute must read it back. A server path outside the chroot must end the connection instead.
 */
class GoldenReplyTest {
    static List<Reply> cases() {
        return GoldenReplies.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void replyIsStrippedAsJuteWouldWriteIt(Reply c) {
        try (ConnectionDriver session = ConnectionDriver.established()) {
            if (c.op() != OpCode.NOTIFICATION) {
                session.forward(GoldenCases.canonical(c.op()).client());
            }
            if (c.client() == null) {
                ProtocolException e = assertThrows(IsolationViolationException.class, () -> session.server(c.server()));
                assertEquals(ProtocolException.Kind.ISOLATION_VIOLATION, e.kind());
                return;
            }
            ConnectionDriver.Received received = session.server(c.server());
            assertEquals(1, received.toClient().size());
            byte[] out = received.toClient().get(0);
            assertEquals(hex(c.client()), hex(out));
            assertEquals(c.sameBuffer(), received.sameBuffer(), "forwarded as the server's own buffer");
            ReplyHeader header = new ReplyHeader();
            if (c.body() == null) {
                JuteReader.read(out, header);
            } else {
                Record body = JuteReader.newRecord(c.body().getClass());
                JuteReader.read(out, header, body);
                assertEquals(c.body(), body);
            }
            assertEquals(ZXID, header.getZxid());
            assertEquals(0, session.connection.inFlight(), "the pending request was completed");
        }
    }

    /** Every opcode with a reply the client reads has a golden reply; refused ones are answered locally instead. */
    @Test
    void everyRepliedOpcodeHasAGoldenCase() {
        Set<OpCode> covered = cases().stream().map(Reply::op).collect(Collectors.toSet());
        Set<OpCode> expected = EnumSet.allOf(OpCode.class);
        expected.removeIf(op -> !op.forwardable() && op != OpCode.NOTIFICATION);
        assertEquals(expected, covered);
    }
}
