package io.zktenantproxy.protocol;

/**
 * A client path that breaks ZooKeeper's path rules ({@link PathRules}). Unlike {@link ProtocolException} it does not
 * break the connection: the request is answered with {@code BADARGUMENTS} (-8), as a server would.
 */
public final class InvalidPathException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidPathException(String clientPath, String rule) {
        super("invalid path: " + rule);
    }
}
