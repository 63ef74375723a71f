package io.zktenantproxy.proxy.config;

/**
 * The platform's operator identity in ZooKeeper ({@code digest} scheme). When set, the proxy's own client
 * authenticates as {@code user:password}, and every ACL list a tenant sends gets an entry granting this identity
 * all permissions (see {@code io.zktenantproxy.protocol.AclPolicy}), so no tenant can lock operators out.
 *
 * @param user     digest user name
 * @param password digest password (keep the file readable by the proxy only)
 */
public record OperatorConfig(String user, String password) {
    @Override
    public String toString() {
        return "OperatorConfig[user=" + user + ", password=***]";
    }
}
