package io.zktenantproxy.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A tenant's chroot: the server path under which the tenant's whole tree lives, and the two rules that move paths
 * across it. {@link #prepend} turns a client path into a server path after checking ZooKeeper's path rules;
 * {@link #strip} turns a server path back and accepts only the chroot itself or paths under {@code chroot + "/"},
 * so {@code /tenants/t1} never matches {@code /tenants/t12}. (ZooKeeper's own {@code client.Chroot.strip} is a plain
 * {@code startsWith} and would; a proxy that isolates tenants must not.)
 *
 * <p>Paths on the client side are called {@code clientPath}, on the server side {@code serverPath}, as in
 * {@code ClientCnxn.Packet}. Instances are immutable and shared by all connections of a tenant.
 */
public final class TenantChroot {
    private final String root;
    private final byte[] rootBytes;

    /**
     * @param root absolute server path, valid by ZooKeeper's rules, not {@code /}
     * @throws IllegalArgumentException if {@code root} is not such a path
     */
    public TenantChroot(String root) {
        String violation = PathRules.violation(root, false);
        if (violation != null) {
            throw new IllegalArgumentException("chroot '" + root + "': " + violation);
        }
        if (root.equals("/")) {
            throw new IllegalArgumentException("chroot '/': a tenant chroot must not be the ensemble's root");
        }
        this.root = root;
        this.rootBytes = root.getBytes(StandardCharsets.UTF_8);
    }

    /** @return the chroot as a server path, e.g. {@code /tenants/acme} */
    public String root() {
        return root;
    }

    /**
     * Maps a client path to its server path.
     *
     * @param sequential whether this is the path of a sequential create: {@code /} then maps to
     *                   {@code chroot + "/"}, so the counter lands under the chroot and not beside it
     * @throws InvalidPathException if {@code clientPath} breaks ZooKeeper's path rules
     */
    public String prepend(String clientPath, boolean sequential) {
        String violation = PathRules.violation(clientPath, sequential);
        if (violation != null) {
            throw new InvalidPathException(clientPath, violation);
        }
        return clientPath.length() == 1 && !sequential ? root : root + clientPath;
    }

    /** {@link #prepend(String, boolean)} for a non-sequential path. */
    public String prepend(String clientPath) {
        return prepend(clientPath, false);
    }

    /**
     * Maps a server path back to the client path.
     *
     * @throws IsolationViolationException if {@code serverPath} is neither the chroot nor under it
     */
    public String strip(String serverPath) {
        if (!contains(serverPath)) {
            throw new IsolationViolationException("server path outside chroot " + root);
        }
        return serverPath.length() == root.length() ? "/" : serverPath.substring(root.length());
    }

    /** @return whether {@code serverPath} is the chroot itself or lies under {@code chroot + "/"} */
    public boolean contains(String serverPath) {
        return serverPath != null && serverPath.startsWith(root)
                && (serverPath.length() == root.length() || serverPath.charAt(root.length()) == '/');
    }

    /**
     * Writes the server path for the client path in {@code in[index, index + length)} as a jute {@code ustring}
     * (length, bytes), copying only the path bytes. The caller has validated the client path.
     */
    void writePrepended(ByteBuf out, ByteBuf in, int index, int length, boolean sequential) {
        boolean bareRoot = length == 1 && !sequential;
        out.writeInt(rootBytes.length + (bareRoot ? 0 : length));
        out.writeBytes(rootBytes);
        if (!bareRoot) {
            out.writeBytes(in, index, length);
        }
    }

    /** Bytes {@link #writePrepended} writes for a client path of {@code length} bytes, length field included. */
    int prependedBytes(int length, boolean sequential) {
        return Integer.BYTES + rootBytes.length + (length == 1 && !sequential ? 0 : length);
    }

    /**
     * Writes the client path for the server path in {@code in[index, index + length)} as a jute {@code ustring}.
     *
     * @throws IsolationViolationException if the server path is not the chroot or under it
     */
    void writeStripped(ByteBuf out, ByteBuf in, int index, int length) {
        int drop = strippedOffset(in, index, length);
        if (drop == length) {
            out.writeInt(1);
            out.writeByte('/');
        } else {
            out.writeInt(length - drop);
            out.writeBytes(in, index + drop, length - drop);
        }
    }

    /**
     * @return how many leading bytes of the server path are the chroot (the whole length when it is the chroot)
     * @throws IsolationViolationException if the server path is not the chroot or under it
     */
    int strippedOffset(ByteBuf in, int index, int length) {
        int n = rootBytes.length;
        if (length < n) {
            throw new IsolationViolationException("server path outside chroot " + root);
        }
        for (int i = 0; i < n; i++) {
            if (in.getByte(index + i) != rootBytes[i]) {
                throw new IsolationViolationException("server path outside chroot " + root);
            }
        }
        if (length > n && in.getByte(index + n) != '/') {
            throw new IsolationViolationException("server path outside chroot " + root);
        }
        return n;
    }

    @Override
    public String toString() {
        return root;
    }
}
