package io.zktenantproxy.proxy.identity;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * A {@code digest} scheme identity on the ensemble: what a session sends to authenticate
 * ({@code AuthPacket{0, "digest", "user:password"}}) and the id ACL entries name
 * ({@code user:base64(sha1(user:password))}, as {@code DigestAuthenticationProvider.generateDigest} makes it).
 *
 * @param user     the user name, without {@code ':'}; not secret (it shows in ACLs)
 * @param password the password; never logged ({@link #toString()} hides it)
 */
public record DigestCredential(String user, String password) {
    public DigestCredential {
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a digest user name cannot hold ':'");
        }
    }

    /** @return the id ACL entries name, {@code user:base64(sha1("user:password"))} */
    public String id() {
        return digestId(authData());
    }

    /** @return the bytes of an {@code AuthPacket}'s {@code auth} field, {@code user:password} in UTF-8 */
    public byte[] authData() {
        return (user + ":" + password).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param authData the {@code auth} field of a {@code digest} AuthPacket, {@code user:password}
     * @return the id the ensemble gives a session that sent it (every digest auth succeeds; a wrong password only
     *     yields another id)
     */
    public static String digestId(byte[] authData) {
        try {
            return DigestAuthenticationProvider.generateDigest(new String(authData, StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA1 is not available for the digest scheme", e);
        }
    }

    @Override
    public String toString() {
        return "DigestCredential[user=" + user + ", password=***]";
    }
}
