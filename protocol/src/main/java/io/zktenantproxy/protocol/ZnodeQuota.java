package io.zktenantproxy.protocol;

import java.util.concurrent.CompletionStage;

/**
 * A tenant's znode and byte quota as one connection sees it: reserve a {@link QuotaCharge} before the request goes
 * upstream, settle it when the reply comes. Shared by every connection of the tenant (so implementations are
 * thread-safe); the usage it checks against is shared by every proxy instance (ZooKeeper's own
 * {@code zookeeper_stats}). Deletes and reads never come here.
 */
public interface ZnodeQuota {

    /** The answer to {@link #reserve}. */
    sealed interface Decision {
    }

    /** The charge fits and is reserved until {@link #settle}. */
    record Admit() implements Decision {
    }

    /** The usage in hand is not fresh enough to refuse on: retry once {@code until} completes, with a fresh count. */
    record Wait(CompletionStage<?> until) implements Decision {
    }

    /** The charge does not fit: op {@code failedIndex} (0-based, of a multi's sub-ops) is the first over. */
    record Refuse(QuotaKind kind, int failedIndex) implements Decision {
    }

    /** The one {@link Admit}. */
    Decision ADMIT = new Admit();

    /**
     * @param charge  what the request adds
     * @param mayWait false for a request that already waited once: decide now, never {@link Wait}
     * @return whether it may go upstream
     */
    Decision reserve(QuotaCharge charge, boolean mayWait);

    /**
     * The reply to a reserved request came (or never will).
     *
     * @param applied true if the request changed the tree, false if it failed; null if unknown (the connection closed
     *                first), which counts as applied until the next count
     */
    void settle(QuotaCharge charge, Boolean applied);

    /** No quota: every charge fits. */
    ZnodeQuota UNLIMITED = new ZnodeQuota() {
        @Override
        public Decision reserve(QuotaCharge charge, boolean mayWait) {
            return ADMIT;
        }

        @Override
        public void settle(QuotaCharge charge, Boolean applied) {
        }
    };
}
