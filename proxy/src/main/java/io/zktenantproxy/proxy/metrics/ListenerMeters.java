package io.zktenantproxy.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The meters of one listener's handshake admission ({@code limits.maxHandshakesInProgress}): connections in their
 * handshake, connections waiting for one, and connections shed from the wait. Tagged by {@link MeterNames#LISTENER}
 * (the tenant's name, or {@code shared}), since on the shared TLS listener the tenant is not known before the
 * handshake. A reload that binds the listener again keeps adding to the same meters. Thread-safe.
 */
public final class ListenerMeters {
    private final AtomicInteger inProgress = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Counter shed;

    ListenerMeters(MeterRegistry registry, String listener) {
        Gauge.builder(MeterNames.HANDSHAKES_IN_PROGRESS, inProgress, AtomicInteger::get)
                .description("connections between their accept and their session's ConnectResponse")
                .tag(MeterNames.LISTENER, listener).register(registry);
        Gauge.builder(MeterNames.HANDSHAKES_WAITING, waiting, AtomicInteger::get)
                .description("accepted connections waiting, unread, for a handshake slot")
                .tag(MeterNames.LISTENER, listener).register(registry);
        shed = Counter.builder(MeterNames.HANDSHAKES_SHED)
                .description("connections closed unread after waiting too long for a handshake slot")
                .tag(MeterNames.LISTENER, listener).register(registry);
    }

    /** @param delta +1 when a connection starts its handshake, -1 when it ends (session established or closed) */
    public void inProgress(int delta) {
        inProgress.addAndGet(delta);
    }

    /** @param delta +1 when a connection starts waiting for a slot, -1 when it stops */
    public void waiting(int delta) {
        waiting.addAndGet(delta);
    }

    /** Counts one connection shed from the wait. */
    public void shed() {
        shed.increment();
    }

    /** @return connections in their handshake now, on every binding of the listener */
    public int inProgress() {
        return inProgress.get();
    }

    /** @return connections shed so far */
    public long shedCount() {
        return (long) shed.count();
    }
}
