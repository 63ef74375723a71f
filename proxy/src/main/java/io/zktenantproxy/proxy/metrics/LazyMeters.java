package io.zktenantproxy.proxy.metrics;

import io.micrometer.core.instrument.Meter;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * A fixed-size table of meters created on first use, so that only series that ever moved are exported and the hot
 * path is one volatile array read. Two threads racing on an empty slot both register the same meter id, and
 * Micrometer hands both the same instance, so the race is harmless.
 *
 * @param <M> the meter type
 */
final class LazyMeters<M extends Meter> {
    private final AtomicReferenceArray<M> meters;
    private final IntFunction<M> create;

    /** @param create registers the meter of a slot; called at most a few times per slot */
    LazyMeters(int size, IntFunction<M> create) {
        this.meters = new AtomicReferenceArray<>(size);
        this.create = create;
    }

    /** @return the meter of {@code slot}, registered now if this is its first use */
    M get(int slot) {
        M meter = meters.get(slot);
        if (meter == null) {
            meter = create.apply(slot);
            meters.set(slot, meter);
        }
        return meter;
    }

    /** @return the meter of {@code slot} if it was ever used, else null */
    M peek(int slot) {
        return meters.get(slot);
    }

    int size() {
        return meters.length();
    }
}
