package io.zktenantproxy.protocol;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ZooKeeper release of the ensemble, as far as the opcodes it implements go. Every server from 3.4 to 3.9 answers
 * an opcode it does not know with {@code UNIMPLEMENTED} (-6) and then closes the connection; so the proxy answers
 * those opcodes itself with -6 and keeps the connection (see {@link EnsembleFeatures}).
 *
 * <pre>
 * 3.6: multiRead (22), getEphemerals (103), getAllChildrenNumber (104), setWatches2 (105), addWatch (106)
 * 3.7: whoAmI (107)
 * </pre>
 *
 * Everything else the proxy forwards exists in 3.5 (create2, createContainer, createTTL, check/removeWatches,
 * reconfig), the oldest release it supports.
 *
 * @param major e.g. 3
 * @param minor e.g. 5
 * @param patch e.g. 10
 */
public record EnsembleVersion(int major, int minor, int patch) implements Comparable<EnsembleVersion> {
    /**
     * The oldest release the proxy works with: 3.4 lacks {@code create2}, containers, TTL nodes and
     * {@code removeWatches}, which the proxy's own client and every 3.5+ client use (and is end of life since 2020).
     */
    public static final EnsembleVersion OLDEST_SUPPORTED = new EnsembleVersion(3, 5, 0);

    /** The release each opcode newer than 3.5 came with. */
    private static final Map<OpCode, EnsembleVersion> SINCE = Map.of(
            OpCode.MULTI_READ, new EnsembleVersion(3, 6, 0),
            OpCode.GET_EPHEMERALS, new EnsembleVersion(3, 6, 0),
            OpCode.GET_ALL_CHILDREN_NUMBER, new EnsembleVersion(3, 6, 0),
            OpCode.SET_WATCHES2, new EnsembleVersion(3, 6, 0),
            OpCode.ADD_WATCH, new EnsembleVersion(3, 6, 0),
            OpCode.WHO_AM_I, new EnsembleVersion(3, 7, 0));
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");
    private static final Pattern SRVR_LINE = Pattern.compile("Zookeeper version: (\\d+\\.\\d+(?:\\.\\d+)?)");

    /**
     * @param text {@code 3.5}, {@code 3.5.10}, or a release string that starts so ({@code 3.5.10-c1f...})
     * @throws IllegalArgumentException if it does not start with a version
     */
    public static EnsembleVersion parse(String text) {
        Matcher m = VERSION.matcher(text == null ? "" : text.strip());
        if (!m.lookingAt()) {
            throw new IllegalArgumentException("'" + text + "' (expected: a ZooKeeper version such as 3.5 or 3.8.4)");
        }
        return new EnsembleVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    /** @return the version in a {@code srvr} (or {@code stat}) answer's {@code Zookeeper version:} line, if any */
    public static Optional<EnsembleVersion> fromSrvr(String answer) {
        Matcher m = SRVR_LINE.matcher(answer == null ? "" : answer);
        return m.find() ? Optional.of(parse(m.group(1))) : Optional.empty();
    }

    /** @return whether the proxy works in front of an ensemble of this release ({@link #OLDEST_SUPPORTED} or later) */
    public boolean supported() {
        return compareTo(OLDEST_SUPPORTED) >= 0;
    }

    /** @return whether a server of this release implements {@code op} */
    public boolean implementsOp(OpCode op) {
        EnsembleVersion since = SINCE.get(op);
        return since == null || compareTo(since) >= 0;
    }

    @Override
    public int compareTo(EnsembleVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
