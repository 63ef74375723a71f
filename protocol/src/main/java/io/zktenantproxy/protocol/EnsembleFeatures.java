package io.zktenantproxy.protocol;

/**
 * What the proxy knows of its ensemble's release, shared by every connection and updated when it learns more: until
 * then (or when it cannot learn it) every opcode is forwarded, as the ensemble itself decides. Once known, an opcode
 * the ensemble does not implement is answered by the proxy with {@code UNIMPLEMENTED} (-6) in xid order, and the
 * connection and session go on; forwarded, the ensemble would answer -6 and close the connection.
 *
 * <p>Thread-safe: one volatile read per request that carries a 3.6+ opcode.
 */
public final class EnsembleFeatures {
    private volatile EnsembleVersion version;

    /** @return features of an ensemble not known yet (everything forwarded) */
    public static EnsembleFeatures unknown() {
        return new EnsembleFeatures();
    }

    /** @return features of an ensemble of {@code version} */
    public static EnsembleFeatures of(EnsembleVersion version) {
        EnsembleFeatures features = new EnsembleFeatures();
        features.version = version;
        return features;
    }

    /** Records the ensemble's release (the oldest server's, during a rolling upgrade). */
    public void learnt(EnsembleVersion ensembleVersion) {
        this.version = ensembleVersion;
    }

    /** @return the ensemble's release, or null while unknown */
    public EnsembleVersion version() {
        return version;
    }

    /** @return whether {@code op} may be forwarded: the ensemble implements it, or its release is not known */
    public boolean forwards(OpCode op) {
        EnsembleVersion v = version;
        return v == null || v.implementsOp(op);
    }
}
