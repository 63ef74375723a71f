package io.zktenantproxy.protocol;

/**
 * The {@code err} values of {@code ReplyHeader} the proxy itself produces or reasons about, as in
 * {@code org.apache.zookeeper.KeeperException.Code}.
 */
public final class KeeperCode {
    public static final int OK = 0;
    public static final int SYSTEM_ERROR = -1;
    public static final int RUNTIME_INCONSISTENCY = -2;
    public static final int MARSHALLING_ERROR = -5;
    public static final int UNIMPLEMENTED = -6;
    public static final int BAD_ARGUMENTS = -8;
    public static final int API_ERROR = -100;
    public static final int NO_NODE = -101;
    public static final int NO_AUTH = -102;
    public static final int BAD_VERSION = -103;
    public static final int NODE_EXISTS = -110;
    public static final int NOT_EMPTY = -111;
    public static final int SESSION_EXPIRED = -112;
    public static final int INVALID_ACL = -114;
    public static final int AUTH_FAILED = -115;
    public static final int SESSION_MOVED = -118;
    public static final int RECONFIG_DISABLED = -123;
    public static final int QUOTA_EXCEEDED = -125;
    public static final int THROTTLED_OP = -127;

    private KeeperCode() {
    }
}
