package io.zktenantproxy.proxy.tree;

/**
 * Why a tree could not be read or shown. {@link Kind#httpStatus()} is the admin server's answer; the message is one
 * line naming the path and the bound, e.g. {@code "more than 10000 nodes under /flink (limit 10000)"}.
 */
public final class TreeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The kinds of failure, each with its HTTP status. */
    public enum Kind {
        /** A query parameter or path is invalid. */
        BAD_REQUEST(400),
        /** No such tenant, or no such node. */
        NOT_FOUND(404),
        /** The subtree has more nodes than the node bound. */
        TOO_LARGE(413),
        /** The walk did not finish within the time bound. */
        TIMEOUT(504),
        /** The proxy's own client is not connected to the ensemble. */
        UNAVAILABLE(503),
        /** The ensemble answered with an error the walk cannot step over. */
        UPSTREAM_ERROR(502);

        private final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        /** @return the HTTP status the admin server answers with */
        public int httpStatus() {
            return httpStatus;
        }
    }

    private final Kind kind;

    /** @param message one line naming the path and the bound */
    public TreeException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** @return what went wrong */
    public Kind kind() {
        return kind;
    }
}
