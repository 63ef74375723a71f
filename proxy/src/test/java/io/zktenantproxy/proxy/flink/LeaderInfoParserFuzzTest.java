package io.zktenantproxy.proxy.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Jazzer target for {@link LeaderInfoParser} (docs/FUZZING.md): whatever a tenant writes into a leader znode, the
 * parser returns a result and never throws; a result it calls known is what Flink's own reader (an
 * {@code ObjectInputStream} restricted to {@code java.util.UUID}, test-only) reads from the same bytes, and stays
 * within the address bound; an unreadable result carries a short reason. The seed corpus
 * ({@code LeaderInfoParserFuzzTestInputs/fuzzParse/}) holds what Flink writes and the attacks of
 * {@link LeaderInfoParserTest}; in the normal build only the seeds run.
 */
class LeaderInfoParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void fuzzParse(byte[] input) {
        LeaderInfo info = LeaderInfoParser.parse(input);
        assertNotNull(info);
        switch (info.status()) {
            case KNOWN -> {
                assertEquals(info, FlinkBytes.oracle(input));
                assertTrue(info.address().getBytes(StandardCharsets.UTF_8).length <= 3 * LeaderInfoParser.MAX_ADDRESS);
            }
            case EMPTY -> assertEquals(0, input.length);
            case UNREADABLE -> assertTrue(info.reason() != null && info.reason().length() < 300, info.reason());
        }
    }
}
