package io.zktenantproxy.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A four-letter word ({@code ruok}, {@code srvr}, ...): four ASCII bytes a client sends instead of a frame length as
 * the very first bytes of a connection, as ZooKeeper's {@code NettyServerCnxn.checkFourLetterWord} recognises them.
 * The set is the one in {@code org.apache.zookeeper.server.command.FourLetterCommands}.
 *
 * @param word the four letters, lower case
 */
public record FourLetterWord(String word) {
    private static final Map<Integer, FourLetterWord> BY_CODE = Stream.of(
                    "conf", "cons", "crst", "dump", "envi", "gtmk", "ruok", "stmk", "srvr", "srst", "stat", "wchc",
                    "wchp", "wchs", "mntr", "isro", "hash", "dirs", "torq")
            .map(FourLetterWord::new)
            .collect(Collectors.toUnmodifiableMap(FourLetterWord::code, Function.identity()));

    /** @return the word read as a big-endian int, the way it arrives in place of a frame length */
    public int code() {
        byte[] b = word.getBytes(StandardCharsets.US_ASCII);
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** @return the word whose bytes read as {@code code}, or null if {@code code} is no known four-letter word */
    public static FourLetterWord of(int code) {
        return BY_CODE.get(code);
    }
}
