package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.metrics.CloseReason;
import java.util.concurrent.CompletionException;

/**
 * Why a {@link SessionGate} refused a handshake: the connection is closed with {@code reason}, and {@code detail}
 * goes to the log. Carries no stack trace: it is an answer, not a failure of the proxy.
 */
final class GateRefusal extends RuntimeException {
    private final CloseReason reason;

    GateRefusal(CloseReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    CloseReason reason() {
        return reason;
    }

    /** @return the refusal a failed {@link SessionGate#admit} completed with; any other failure is unavailability */
    static GateRefusal of(Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return t instanceof GateRefusal refusal ? refusal
                : new GateRefusal(CloseReason.CHROOT_UNAVAILABLE, "session gate failed: " + t);
    }
}
