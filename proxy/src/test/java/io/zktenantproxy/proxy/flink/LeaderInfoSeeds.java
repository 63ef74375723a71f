package io.zktenantproxy.proxy.flink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Writes the seed corpus of {@link LeaderInfoParserFuzzTest}: what Flink writes (a real {@code ObjectOutputStream})
 * and the attacks of {@link LeaderInfoParserTest}. Run from {@code proxy/} after {@code test-compile}, see
 * docs/FUZZING.md.
 */
final class LeaderInfoSeeds {
    static final Path DIR = Path.of("src/test/resources/io/zktenantproxy/proxy/flink/LeaderInfoParserFuzzTestInputs"
            + "/fuzzParse");

    private LeaderInfoSeeds() {
    }

    static Map<String, byte[]> seeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("flink-dispatcher", FlinkBytes.leaderInfo(FlinkBytes.DISPATCHER, FlinkBytes.SESSION));
        seeds.put("flink-rest", FlinkBytes.leaderInfo("http://10.0.0.7:8081", new UUID(0, 0)));
        seeds.put("null-session", FlinkBytes.leaderInfo("a", null));
        seeds.put("long-address", FlinkBytes.leaderInfo("h".repeat(2100), FlinkBytes.SESSION));
        seeds.put("modified-utf8", FlinkBytes.leaderInfo("\u0000\u00e9\u20ac\ud83d\ude00", FlinkBytes.SESSION));
        seeds.put("gadget", FlinkBytes.write(oos -> {
            oos.writeUTF("a");
            oos.writeObject(new FlinkBytes.Gadget());
        }));
        seeds.put("enum", FlinkBytes.write(oos -> {
            oos.writeUTF("a");
            oos.writeObject(TimeUnit.SECONDS);
        }));
        seeds.put("reset", FlinkBytes.write(oos -> {
            oos.writeUTF("a");
            oos.reset();
            oos.writeObject(FlinkBytes.SESSION);
        }));
        seeds.put("nested", FlinkBytes.write(oos -> {
            oos.writeUTF("a");
            oos.writeObject(new ArrayList<>(List.of(new ArrayList<>(List.of(FlinkBytes.SESSION)))));
        }));
        seeds.put("block-long", LeaderInfoParserTest.concat(LeaderInfoParserTest.bytes(0xac, 0xed, 0, 5, 0x7a,
                0x7f, 0xff, 0xff, 0xff)));
        return seeds;
    }

    public static void main(String[] args) throws IOException {
        Files.createDirectories(DIR);
        for (Map.Entry<String, byte[]> e : seeds().entrySet()) {
            Files.write(DIR.resolve(e.getKey()), e.getValue());
        }
    }
}
