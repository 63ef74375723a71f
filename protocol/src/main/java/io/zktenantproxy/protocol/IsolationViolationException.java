package io.zktenantproxy.protocol;

/**
 * A path coming back from the ensemble that is neither the tenant's chroot nor under {@code chroot + "/"}.
 * Forwarding it would tell the tenant about a node it must not see, so the connection is closed instead.
 */
public final class IsolationViolationException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    public IsolationViolationException(String detail) {
        super(Kind.ISOLATION_VIOLATION, detail);
    }
}
