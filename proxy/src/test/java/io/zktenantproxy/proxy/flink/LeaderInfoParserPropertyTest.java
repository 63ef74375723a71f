package io.zktenantproxy.proxy.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Properties of {@link LeaderInfoParser}: it reads back every address and session id Flink can write, and on any
 * bytes (random, or Flink's bytes mutated) it returns a result without throwing, and a result it calls known agrees
 * with Flink's own reader (a UUID-only {@code ObjectInputStream}, test-only).
 */
class LeaderInfoParserPropertyTest {

    @Property(tries = 300)
    void readsBackWhatFlinkWrites(@ForAll("addresses") String address, @ForAll("sessions") UUID session) {
        Assume.that(utfLength(address) <= LeaderInfoParser.MAX_ADDRESS);
        byte[] bytes = FlinkBytes.leaderInfo(address, session);
        assertEquals(LeaderInfo.known(address, session == null ? null : session.toString()),
                LeaderInfoParser.parse(bytes));
    }

    @Property(tries = 500)
    void mutatedBytesNeverThrowAndAgreeWithFlinksReader(@ForAll("mutated") byte[] bytes) {
        LeaderInfo info = LeaderInfoParser.parse(bytes);
        assertNotNull(info);
        if (info.status() == LeaderInfo.Status.KNOWN) {
            assertEquals(FlinkBytes.oracle(bytes), info);
        }
    }

    @Property(tries = 300)
    void randomBytesNeverThrow(@ForAll @Size(max = 400) byte[] bytes) {
        assertNotNull(LeaderInfoParser.parse(bytes));
    }

    @Provide
    Arbitrary<String> addresses() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(1500);
        Arbitrary<String> flinkish = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789.-:/_@")
                .ofMinLength(1).ofMaxLength(120).map(s -> "pekko.tcp://flink@" + s);
        return Arbitraries.oneOf(any, flinkish);
    }

    @Provide
    Arbitrary<UUID> sessions() {
        return Arbitraries.longs().tuple2().map(t -> new UUID(t.get1(), t.get2())).injectNull(0.2);
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        Arbitrary<byte[]> seeds = Arbitraries.of(List.of(FlinkBytes.leaderInfo(FlinkBytes.DISPATCHER,
                FlinkBytes.SESSION), FlinkBytes.leaderInfo("x", null), FlinkBytes.leaderInfo("y".repeat(1100),
                new UUID(-1, 7))));
        return seeds.flatMap(seed -> Arbitraries.integers().between(0, seed.length - 1).list().ofMinSize(1)
                .ofMaxSize(4).flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size())
                        .flatMap(values -> Arbitraries.integers().between(0, 3).map(kind -> mutate(seed,
                                positions, values, kind)))));
    }

    /** kind 0: overwrite bytes, 1: cut at the first position, 2: drop a byte, 3: insert a byte. */
    private static byte[] mutate(byte[] seed, List<Integer> positions, List<Byte> values, int kind) {
        byte[] out = seed.clone();
        int at = positions.get(0);
        switch (kind) {
            case 1 -> out = java.util.Arrays.copyOf(seed, at);
            case 2 -> out = LeaderInfoParserTest.concat(java.util.Arrays.copyOf(seed, at),
                    java.util.Arrays.copyOfRange(seed, at + 1, seed.length));
            case 3 -> out = LeaderInfoParserTest.concat(java.util.Arrays.copyOf(seed, at), new byte[] {values.get(0)},
                    java.util.Arrays.copyOfRange(seed, at, seed.length));
            default -> {
                for (int i = 0; i < positions.size(); i++) {
                    out[positions.get(i)] = values.get(i);
                }
            }
        }
        return out;
    }

    private static int utfLength(String s) {
        try {
            CountingStream counter = new CountingStream();
            new DataOutputStream(counter).writeUTF(s);
            return counter.count - 2;
        } catch (IOException e) {
            return Integer.MAX_VALUE;
        }
    }

    private static final class CountingStream extends OutputStream {
        int count;

        @Override
        public void write(int b) {
            count++;
        }
    }
}
