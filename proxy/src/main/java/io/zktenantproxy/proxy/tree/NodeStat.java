package io.zktenantproxy.proxy.tree;

import org.apache.zookeeper.data.Stat;

/**
 * A znode's {@code Stat} ({@code zookeeper.jute: org.apache.zookeeper.data.Stat}) as the admin API shows it. Zxids
 * and the ephemeral owner (a session id) are hex strings, since JavaScript numbers cannot hold every 64-bit value.
 *
 * @param czxid          zxid of the create, {@code 0x...}
 * @param mzxid          zxid of the last data change, {@code 0x...}
 * @param pzxid          zxid of the last change of the children, {@code 0x...}
 * @param ctime          creation time, milliseconds since the epoch
 * @param mtime          last data change, milliseconds since the epoch
 * @param version        data version
 * @param cversion       children version
 * @param aversion       ACL version
 * @param ephemeralOwner session id of the owner, {@code 0x...}; null when the node is not ephemeral
 * @param dataLength     bytes of data
 * @param numChildren    number of children
 */
public record NodeStat(String czxid, String mzxid, String pzxid, long ctime, long mtime, int version, int cversion,
                       int aversion, String ephemeralOwner, int dataLength, int numChildren) {

    /** @return the view of {@code stat} */
    public static NodeStat of(Stat stat) {
        return new NodeStat(hex(stat.getCzxid()), hex(stat.getMzxid()), hex(stat.getPzxid()), stat.getCtime(),
                stat.getMtime(), stat.getVersion(), stat.getCversion(), stat.getAversion(),
                stat.getEphemeralOwner() == 0 ? null : hex(stat.getEphemeralOwner()), stat.getDataLength(),
                stat.getNumChildren());
    }

    /** @return whether the node is ephemeral */
    public boolean ephemeral() {
        return ephemeralOwner != null;
    }

    private static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
