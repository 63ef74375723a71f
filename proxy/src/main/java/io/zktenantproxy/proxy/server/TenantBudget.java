package io.zktenantproxy.proxy.server;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;

/**
 * A tenant's share of the ensemble on this proxy instance: requests per second and bytes per second, each a token
 * bucket (Bucket4j) that holds one second's worth and refills continuously. Shared by all of the tenant's
 * connections, whatever event loop they run on.
 *
 * <p>Frames are never refused for want of budget: {@link #admit} books the frame at once, letting the bucket go into
 * debt, and answers how long the frame must wait for the debt to be paid back. So every frame gets the next free
 * slot in arrival order across the tenant's connections, and a tenant sending faster than its budget is paced to
 * exactly that rate, while its neighbours, who have their own buckets, see none of it. Reply bytes are booked
 * afterwards ({@link #charge}) and so delay the tenant's next requests, not the reply.
 */
final class TenantBudget {
    private final TimeMeter clock;
    // replaced whole by update(), read once per frame: a connection keeps the same TenantBudget across reloads
    private volatile Bucket requests;
    private volatile Bucket bytes;
    private int requestsRate;
    private int bytesRate;

    private TenantBudget(int requestsPerSecond, int bytesPerSecond, TimeMeter clock) {
        this.clock = clock;
        update(requestsPerSecond, bytesPerSecond);
    }

    /**
     * New rates from a reload, for every connection of the tenant at once: each changed budget starts again with a
     * full second's worth (the debt of the old rate is forgiven); an unchanged one keeps its bucket.
     *
     * @param requestsPerSecond frames per second, 0 for no request budget
     * @param bytesPerSecond    request and reply bytes per second, 0 for no byte budget
     */
    synchronized void update(int requestsPerSecond, int bytesPerSecond) {
        if (requests == null || requestsPerSecond != requestsRate) {
            requests = requestsPerSecond > 0 ? bucket(requestsPerSecond, clock) : null;
            requestsRate = requestsPerSecond;
        }
        if (bytes == null || bytesPerSecond != bytesRate) {
            bytes = bytesPerSecond > 0 ? bucket(bytesPerSecond, clock) : null;
            bytesRate = bytesPerSecond;
        }
    }

    /**
     * @param requestsPerSecond frames per second, 0 for no request budget
     * @param bytesPerSecond    request and reply bytes per second, 0 for no byte budget
     */
    static TenantBudget of(int requestsPerSecond, int bytesPerSecond) {
        return of(requestsPerSecond, bytesPerSecond, TimeMeter.SYSTEM_NANOTIME);
    }

    /** {@link #of(int, int)} on a given clock (tests). */
    static TenantBudget of(int requestsPerSecond, int bytesPerSecond, TimeMeter clock) {
        return new TenantBudget(requestsPerSecond, bytesPerSecond, clock);
    }

    /** A bucket of {@code perSecond} tokens, refilled continuously, in place under a lock. */
    static Bucket bucket(int perSecond, TimeMeter clock) {
        // SYNCHRONIZED updates the state in place: the lock-free strategy allocates a state copy per call, on the
        // path of every request
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(perSecond).refillGreedy(perSecond, Duration.ofSeconds(1)))
                .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
                .withCustomTimePrecision(clock)
                .build();
    }

    /** @return true when neither budget is set, so callers can skip booking altogether */
    boolean unlimited() {
        return requests == null && bytes == null;
    }

    /**
     * Books one request frame.
     *
     * @param frameBytes the frame's length, length prefix included
     * @return nanoseconds until the frame's slot: 0 to send it now
     */
    long admit(int frameBytes) {
        Bucket r = requests;
        Bucket b = bytes;
        long wait = r != null ? r.consumeIgnoringRateLimits(1) : 0;
        if (b != null) {
            wait = Math.max(wait, b.consumeIgnoringRateLimits(frameBytes));
        }
        return wait;
    }

    /** Books the bytes of a frame sent to the client (a reply or a watch event). */
    void charge(int frameBytes) {
        Bucket b = bytes;
        if (b != null) {
            b.consumeIgnoringRateLimits(frameBytes);
        }
    }
}
