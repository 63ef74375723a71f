package io.zktenantproxy.proxy.server;

import io.netty.buffer.ByteBuf;
import io.zktenantproxy.proxy.metrics.TenantMeters;

/**
 * Books each client frame with the tenant's {@link TenantBudget} and holds a frame that is over it in
 * {@link PacedFrames} until its slot, behind any frame already held, so frames keep their arrival order. A frame is
 * never refused for want of budget. Owned by the client channel's event loop.
 */
final class BudgetGate {
    private final TenantBudget budget;
    private final TenantMeters meters;
    private final PacedFrames paced;

    /** @param paced where held frames wait; it hands them back to the connection when due */
    BudgetGate(TenantBudget budget, TenantMeters meters, PacedFrames paced) {
        this.budget = budget;
        this.meters = meters;
        this.paced = paced;
    }

    /**
     * @param frame a whole client frame; when held, {@link PacedFrames} owns it from now on
     * @return true when the frame may be handled now, false when it was held for its slot
     */
    boolean admit(ByteBuf frame) {
        if (budget.unlimited()) {
            return true;
        }
        long waitNanos = budget.admit(frame.readableBytes());
        if (waitNanos <= 0 && paced.isEmpty()) {
            return true;
        }
        meters.paced(waitNanos);
        paced.hold(frame, System.nanoTime() + waitNanos);
        return false;
    }

    /** @return whether frames wait for their slot (the client must not be read meanwhile) */
    boolean holding() {
        return !paced.isEmpty();
    }

    /** Releases every held frame: the connection is closing. */
    void discard() {
        paced.discard();
    }
}
