package io.zktenantproxy.flinkha.job;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Maps a sequence number to a transfer, deterministically: the same number always yields the same transfer, so the
 * data generator source replays exactly what it produced before a restore, and the {@link AlertOracle} can compute
 * the expected alerts without running Flink.
 *
 * <p>Ten account pairs share the traffic; amounts are uniform in $1..$900, so a pair's 10-second window holds about
 * twenty transfers worth about $9,000 and only some windows cross the $10,000 threshold.
 */
public final class TransferGenerator implements GeneratorFunction<Long, Transfer> {
    private static final long serialVersionUID = 1L;
    private static final String[][] PAIRS = {
        {"ACC-1001", "ACC-2002"}, {"ACC-1001", "ACC-3003"}, {"ACC-2002", "ACC-1001"}, {"ACC-2002", "ACC-4004"},
        {"ACC-3003", "ACC-5005"}, {"ACC-4004", "ACC-1001"}, {"ACC-5005", "ACC-6006"}, {"ACC-6006", "ACC-3003"},
        {"ACC-7007", "ACC-8008"}, {"ACC-8008", "ACC-7007"}};

    @Override
    public Transfer map(Long sequence) {
        return transfer(sequence);
    }

    /** @return transfer number {@code sequence} */
    public static Transfer transfer(long sequence) {
        long a = mix(sequence);
        long b = mix(a);
        String[] pair = PAIRS[(int) Math.floorMod(a, (long) PAIRS.length)];
        long amountCents = 100 + Math.floorMod(b, 90_000L - 100 + 1);
        long eventTime = FraudRules.EPOCH_MILLIS + sequence * FraudRules.STEP_MILLIS;
        return new Transfer(sequence, pair[0], pair[1], amountCents, eventTime);
    }

    /** SplitMix64's finaliser: a cheap, well-spread bijection on longs, so nearby numbers look unrelated. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
