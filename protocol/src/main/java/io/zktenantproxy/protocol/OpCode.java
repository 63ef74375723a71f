package io.zktenantproxy.protocol;

/**
 * Every opcode of ZooKeeper 3.9 ({@code org.apache.zookeeper.ZooDefs.OpCode}), each with the shape of its request
 * and reply records ({@code zookeeper.jute}), whether a {@code multi} or {@code multiRead} may hold it, and what the
 * proxy does with it. This is the one place an opcode is classified: an opcode missing here is refused, and every
 * fact the rewriters act on (splice the path, rewrite the ACL list, allow as a sub-op) is a method here.
 */
public enum OpCode {
    NOTIFICATION(0, RequestShape.NOT_A_REQUEST, ReplyShape.NONE),
    /** {@code CreateRequest{path, data, acl, flags}} / {@code CreateResponse{path}}. */
    CREATE(1, RequestShape.CREATE, ReplyShape.CREATE_PATH, InMulti.MULTI),
    /** {@code DeleteRequest{path, version}}. */
    DELETE(2, RequestShape.PATH_INT, ReplyShape.NONE, InMulti.MULTI),
    /** {@code ExistsRequest{path, watch}} / {@code ExistsResponse{stat}}. */
    EXISTS(3, RequestShape.PATH_BOOL, ReplyShape.OPAQUE),
    /** {@code GetDataRequest{path, watch}} / {@code GetDataResponse{data, stat}}. */
    GET_DATA(4, RequestShape.PATH_BOOL, ReplyShape.OPAQUE, InMulti.MULTI_READ),
    /** {@code SetDataRequest{path, data, version}} / {@code SetDataResponse{stat}}. */
    SET_DATA(5, RequestShape.SET_DATA, ReplyShape.OPAQUE, InMulti.MULTI),
    /** {@code GetACLRequest{path}} / {@code GetACLResponse{acl, stat}}. */
    GET_ACL(6, RequestShape.PATH, ReplyShape.ACL_LIST),
    /** {@code SetACLRequest{path, acl, version}} / {@code SetACLResponse{stat}}. */
    SET_ACL(7, RequestShape.SET_ACL, ReplyShape.OPAQUE),
    /** {@code GetChildrenRequest{path, watch}} / {@code GetChildrenResponse{children}} (names, not paths). */
    GET_CHILDREN(8, RequestShape.PATH_BOOL, ReplyShape.OPAQUE, InMulti.MULTI_READ),
    /** {@code SyncRequest{path}} / {@code SyncResponse{path}}. */
    SYNC(9, RequestShape.PATH, ReplyShape.SYNC_PATH),
    /** No body either way; xid -2, not queued by the client. */
    PING(11, RequestShape.EMPTY, ReplyShape.NONE),
    /** {@code GetChildren2Request{path, watch}} / {@code GetChildren2Response{children, stat}}. */
    GET_CHILDREN2(12, RequestShape.PATH_BOOL, ReplyShape.OPAQUE),
    /** {@code CheckVersionRequest{path, version}}; mostly inside multi. */
    CHECK(13, RequestShape.PATH_INT, ReplyShape.NONE, InMulti.MULTI),
    /** {@code MultiOperationRecord} of write ops / {@code MultiResponse}. */
    MULTI(14, RequestShape.MULTI, ReplyShape.MULTI),
    /** {@code CreateRequest} / {@code Create2Response{path, stat}}. */
    CREATE2(15, RequestShape.CREATE, ReplyShape.CREATE2_PATH, InMulti.MULTI),
    /** {@code ReconfigRequest}: changes ensemble membership, never a tenant's to send. */
    RECONFIG(16, RequestShape.REFUSED, ReplyShape.NONE, KeeperCode.RECONFIG_DISABLED),
    /** {@code CheckWatchesRequest{path, type}}. */
    CHECK_WATCHES(17, RequestShape.PATH_INT, ReplyShape.NONE),
    /** {@code RemoveWatchesRequest{path, type}}. */
    REMOVE_WATCHES(18, RequestShape.PATH_INT, ReplyShape.NONE),
    /** {@code CreateRequest} / {@code Create2Response}. */
    CREATE_CONTAINER(19, RequestShape.CREATE, ReplyShape.CREATE2_PATH, InMulti.MULTI),
    /** Server-internal (the container manager); a client sending it is refused. */
    DELETE_CONTAINER(20, RequestShape.REFUSED, ReplyShape.NONE, KeeperCode.UNIMPLEMENTED),
    /** {@code CreateTTLRequest{path, data, acl, flags, ttl}} / {@code Create2Response}. */
    CREATE_TTL(21, RequestShape.CREATE_TTL, ReplyShape.CREATE2_PATH, InMulti.MULTI),
    /** {@code MultiOperationRecord} of getData/getChildren ops / {@code MultiResponse} (no paths in results). */
    MULTI_READ(22, RequestShape.MULTI_READ, ReplyShape.OPAQUE),
    /** {@code AuthPacket{type, scheme, auth}}; xid -4, not queued by the client. */
    AUTH(100, RequestShape.AUTH, ReplyShape.NONE),
    /** {@code SetWatches{relativeZxid, dataWatches, existWatches, childWatches}}; xid -8 after a reconnect. */
    SET_WATCHES(101, RequestShape.SET_WATCHES, ReplyShape.NONE),
    /** {@code GetSASLRequest{token}} / {@code SetSASLResponse{token}}. */
    SASL(102, RequestShape.BUFFER, ReplyShape.OPAQUE),
    /** {@code GetEphemeralsRequest{prefixPath}} / {@code GetEphemeralsResponse{ephemerals}} (full paths). */
    GET_EPHEMERALS(103, RequestShape.EPHEMERALS_PREFIX, ReplyShape.EPHEMERALS),
    /** {@code GetAllChildrenNumberRequest{path}} / {@code GetAllChildrenNumberResponse{totalNumber}}. */
    GET_ALL_CHILDREN_NUMBER(104, RequestShape.PATH, ReplyShape.OPAQUE),
    /** {@code SetWatches2}: SetWatches plus persistent and persistent-recursive lists. */
    SET_WATCHES2(105, RequestShape.SET_WATCHES2, ReplyShape.NONE),
    /** {@code AddWatchRequest{path, mode}}. */
    ADD_WATCH(106, RequestShape.PATH_INT, ReplyShape.NONE),
    /** No request body / {@code WhoAmIResponse{clientInfo}}. */
    WHO_AM_I(107, RequestShape.EMPTY, ReplyShape.CLIENT_INFO),
    /** Server-internal; a client sending it is refused. */
    CREATE_SESSION(-10, RequestShape.REFUSED, ReplyShape.NONE, KeeperCode.UNIMPLEMENTED),
    /** No body either way; the server closes the connection after replying. */
    CLOSE_SESSION(-11, RequestShape.EMPTY, ReplyShape.NONE),
    ERROR(-1, RequestShape.NOT_A_REQUEST, ReplyShape.NONE);

    /** Layout of a request body after its {@code RequestHeader}; decides how the proxy reads and rewrites it. */
    public enum RequestShape {
        /** No body. */
        EMPTY,
        /** {@code ustring path}. */
        PATH,
        /** {@code ustring path; boolean watch}. */
        PATH_BOOL,
        /** {@code ustring path; int version|type|mode}. */
        PATH_INT,
        /** {@code ustring path; buffer data; vector<ACL> acl; int flags}. */
        CREATE,
        /** {@code CREATE} followed by {@code long ttl}. */
        CREATE_TTL,
        /** {@code ustring path; buffer data; int version}. */
        SET_DATA,
        /** {@code ustring path; vector<ACL> acl; int version}. */
        SET_ACL,
        /** {@code ustring prefixPath}: a string prefix, matched by the server with {@code startsWith}. */
        EPHEMERALS_PREFIX,
        /** {@code MultiOperationRecord} of write ops. */
        MULTI,
        /** {@code MultiOperationRecord} of read ops. */
        MULTI_READ,
        /** {@code SetWatches}. */
        SET_WATCHES,
        /** {@code SetWatches2}. */
        SET_WATCHES2,
        /** {@code AuthPacket{int type; ustring scheme; buffer auth}}. */
        AUTH,
        /** {@code buffer token}. */
        BUFFER,
        /** Answered by the proxy with {@link OpCode#refusal()}, never forwarded. */
        REFUSED,
        /** Only servers send it; a client sending it is refused. */
        NOT_A_REQUEST
    }

    /**
     * Which batch may hold an opcode as one of its ops, as {@code org.apache.zookeeper.MultiOperationRecord} allows
     * them: write ops go in {@code multi}, reads in {@code multiRead}; anything else inside either is refused.
     */
    public enum InMulti {
        /** Never inside a batch. */
        NEVER,
        /** An op of {@code multi}. */
        MULTI,
        /** An op of {@code multiRead}. */
        MULTI_READ
    }

    /** Layout of a successful reply body after its {@code ReplyHeader}, as far as paths are concerned. */
    public enum ReplyShape {
        /** Header only. */
        NONE,
        /** No server paths inside: forwarded as the same buffer. */
        OPAQUE,
        /** {@code CreateResponse{ustring path}}. */
        CREATE_PATH,
        /** {@code Create2Response{ustring path; Stat stat}}. */
        CREATE2_PATH,
        /** {@code SyncResponse{ustring path}}. */
        SYNC_PATH,
        /** {@code MultiResponse}: create results carry paths. */
        MULTI,
        /** {@code GetEphemeralsResponse{vector<ustring> ephemerals}}: filtered to the chroot and stripped. */
        EPHEMERALS,
        /** {@code GetACLResponse{vector<ACL> acl; Stat stat}}: no paths; the proxy's identities hidden. */
        ACL_LIST,
        /** {@code WhoAmIResponse{vector<ClientInfo> clientInfo}}: no paths; the proxy's identities hidden. */
        CLIENT_INFO
    }

    private static final OpCode[] BY_CODE = new OpCode[128];
    private static final int OFFSET = 16; // codes -11..107 fit in [0, 128) after shifting by 16

    static {
        for (OpCode op : values()) {
            int slot = op.code + OFFSET;
            if (BY_CODE[slot] != null) {
                throw new ExceptionInInitializerError("duplicate opcode " + op.code);
            }
            BY_CODE[slot] = op;
        }
    }

    private final int code;
    private final String pathField;
    private final RequestShape request;
    private final ReplyShape reply;
    private final InMulti inMulti;
    private final int refusal;

    OpCode(int code, RequestShape request, ReplyShape reply) {
        this(code, request, reply, InMulti.NEVER, KeeperCode.UNIMPLEMENTED);
    }

    OpCode(int code, RequestShape request, ReplyShape reply, InMulti inMulti) {
        this(code, request, reply, inMulti, KeeperCode.UNIMPLEMENTED);
    }

    OpCode(int code, RequestShape request, ReplyShape reply, int refusal) {
        this(code, request, reply, InMulti.NEVER, refusal);
    }

    OpCode(int code, RequestShape request, ReplyShape reply, InMulti inMulti, int refusal) {
        this.code = code;
        this.pathField = name() + ".path";
        this.request = request;
        this.reply = reply;
        this.inMulti = inMulti;
        this.refusal = refusal;
    }

    /** @return the name of this opcode's path field in error messages, built once so requests build no strings */
    String pathField() {
        return pathField;
    }

    /** @return the wire code, as in {@code ZooDefs.OpCode} */
    public int code() {
        return code;
    }

    public RequestShape request() {
        return request;
    }

    public ReplyShape reply() {
        return reply;
    }

    /** @return whether a client may send this opcode at all (before any path check) */
    public boolean forwardable() {
        return request != RequestShape.REFUSED && request != RequestShape.NOT_A_REQUEST;
    }

    /** @return the {@link KeeperCode} the proxy answers with when it refuses this opcode */
    public int refusal() {
        return refusal;
    }

    /**
     * @return whether the request's first body field is a path the proxy splices in place: prepends the chroot to it
     *         and keeps the rest of the frame as it is (every path-first record, and getEphemerals' prefix)
     */
    public boolean splicesPath() {
        return switch (request) {
            case PATH, PATH_BOOL, PATH_INT, CREATE, CREATE_TTL, SET_DATA, SET_ACL, EPHEMERALS_PREFIX -> true;
            default -> false;
        };
    }

    /** @return whether the request holds a {@code vector<ACL>}: the create records and {@code SetACLRequest} */
    public boolean carriesAcl() {
        return request == RequestShape.CREATE || request == RequestShape.CREATE_TTL
                || request == RequestShape.SET_ACL;
    }

    /**
     * @return whether a request of this opcode, {@code multi} or {@code multiRead}, may hold {@code sub} as one of its
     *         ops (false for every other opcode)
     */
    public boolean mayHold(OpCode sub) {
        return switch (request) {
            case MULTI -> sub.inMulti == InMulti.MULTI;
            case MULTI_READ -> sub.inMulti == InMulti.MULTI_READ;
            default -> false;
        };
    }

    /**
     * @return whether the client queues the request and awaits its reply in xid order ({@code ClientCnxn}): all but
     *         ping and auth, whose replies come back out of order
     */
    public boolean awaitsReplyInOrder() {
        return this != PING && this != AUTH;
    }

    /** @return the opcode for {@code code}, or null for a code ZooKeeper 3.9 does not define */
    public static OpCode of(int code) {
        int slot = code + OFFSET;
        return slot >= 0 && slot < BY_CODE.length ? BY_CODE[slot] : null;
    }
}
