package io.zktenantproxy.flinkha.harness;

import io.zktenantproxy.proxy.identity.Identities;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Clients that go around the proxy, straight to the ensemble, as anyone who learnt the servers' addresses could: one
 * with no credentials, one that authenticates as a tenant's user with a guessed password (ZooKeeper accepts any
 * digest; a wrong password only yields an id no ACL names). With the upstream secret on, the ensemble must refuse
 * them ({@code NOAUTH}) every read, write, child listing and watch of the tenants' znodes, and the list of tenants.
 *
 * <p>Plain ZooKeeper 3.9 clients ({@link PlainClients}: immune to TLS properties set for Flink), no mocks; the
 * server does the refusing. Not checked here: {@code addWatch}, which
 * the ZooKeeper 3.9.5 server registers on any path without an ACL check (what such a watch then receives is the
 * proxy module's {@code TenantIdentityIT}'s concern).
 */
public final class DirectAccess implements AutoCloseable {
    private static final int SESSION_TIMEOUT_MS = 30_000;

    private final List<Outsider> outsiders;

    private record Outsider(String name, ZooKeeper client) {
        @Override
        public String toString() {
            return name;
        }
    }

    private DirectAccess(List<Outsider> outsiders) {
        this.outsiders = outsiders;
    }

    /**
     * Connects the outsiders to the ensemble.
     *
     * @param connectString the ensemble's servers, as the proxy's upstream
     * @param tenant        the tenant whose user the guessing client names
     */
    public static DirectAccess open(String connectString, String tenant) throws Exception {
        return open(connectString, tenant, List.of());
    }

    /**
     * Connects the outsiders of {@link #open(String, String)} and one more per entry of {@code digests}, each
     * authenticated with that digest (e.g. the credentials a tenant's own client sends through the proxy, which the
     * outsider must not be able to use to get around it).
     *
     * @param digests {@code user:password} each; shown by user name only in failures
     */
    public static DirectAccess open(String connectString, String tenant, List<String> digests) throws Exception {
        List<Outsider> outsiders = new ArrayList<>();
        try {
            outsiders.add(new Outsider("no credentials", connect(connectString)));
            ZooKeeper guessing = connect(connectString);
            outsiders.add(new Outsider("digest " + Identities.tenantUser(tenant) + ":guess", guessing));
            guessing.addAuthInfo("digest", (Identities.tenantUser(tenant) + ":guess").getBytes(StandardCharsets.UTF_8));
            for (String digest : digests) {
                ZooKeeper own = connect(connectString);
                outsiders.add(new Outsider("digest " + digest.substring(0, digest.indexOf(':')) + ":***", own));
                own.addAuthInfo("digest", digest.getBytes(StandardCharsets.UTF_8));
            }
        } catch (Exception e) {
            for (Outsider o : outsiders) {
                o.client().close();
            }
            throw e;
        }
        return new DirectAccess(outsiders);
    }

    private static ZooKeeper connect(String connectString) throws Exception {
        return PlainClients.connect(connectString, SESSION_TIMEOUT_MS, null);
    }

    /** Fails unless every outsider gets {@code NOAUTH} listing the children of {@code path} (e.g. {@code /tenants}). */
    public void assertCannotList(String path) throws InterruptedException {
        for (Outsider o : outsiders) {
            try {
                List<String> children = o.client().getChildren(path, false);
                throw new AssertionError(o + " listed " + path + ": " + children);
            } catch (KeeperException e) {
                if (e.code() != KeeperException.Code.NOAUTH) {
                    throw new AssertionError(o + " listing " + path + ": " + e.code() + " (expected: NOAUTH)", e);
                }
            }
        }
    }

    /**
     * Fails unless every outsider is refused, with {@code NOAUTH}, each of these on each of {@code paths}:
     * {@code getData}, {@code getData} with a watch, {@code exists} with a watch (ZooKeeper 3.9 checks READ on a
     * znode that exists), {@code getChildren} with a watch, {@code setData} and {@code create} of a child. The calls
     * are pipelined (all sent asynchronously, then every answer awaited). A znode deleted meanwhile (the call gets
     * {@code NONODE} and the platform finds it gone too) is left out of the result; any other answer fails.
     *
     * @param paths upstream paths, as {@link UpstreamTree#paths} found them
     * @param tree  the platform's view, to tell a deleted znode from an answer that would betray it
     * @return the paths every outsider was refused every call on, in the order given
     */
    public List<String> assertRefusedEverything(List<String> paths, UpstreamTree tree) throws Exception {
        List<Answer> answers = new ArrayList<>();
        for (String path : paths) {
            for (Outsider o : outsiders) {
                ZooKeeper zk = o.client();
                answers.add(ask(o, path, "getData", a -> zk.getData(path, false, (rc, p, c, d, s) -> a.complete(rc),
                        null)));
                answers.add(ask(o, path, "getData with watch", a -> zk.getData(path, true,
                        (rc, p, c, d, s) -> a.complete(rc), null)));
                answers.add(ask(o, path, "exists with watch", a -> zk.exists(path, true,
                        (rc, p, c, s) -> a.complete(rc), null)));
                answers.add(ask(o, path, "getChildren with watch", a -> zk.getChildren(path, true,
                        (rc, p, c, children) -> a.complete(rc), null)));
                answers.add(ask(o, path, "setData", a -> zk.setData(path, new byte[] {1}, -1,
                        (rc, p, c, s) -> a.complete(rc), null)));
                answers.add(ask(o, path, "create child", a -> zk.create(path + "/intruder", new byte[0],
                        ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT, (rc, p, c, name) -> a.complete(rc), null)));
            }
        }
        Set<String> refused = new LinkedHashSet<>(paths);
        for (Answer a : answers) {
            KeeperException.Code code = KeeperException.Code.get(a.rc().get(60, TimeUnit.SECONDS));
            if (code == KeeperException.Code.NOAUTH) {
                continue;
            }
            if (code == KeeperException.Code.NONODE && tree.stat(a.path()).isEmpty()) {
                refused.remove(a.path());
                continue;
            }
            throw new AssertionError(a.outsider() + ", " + a.call() + " " + a.path() + ": "
                    + (code == KeeperException.Code.OK ? "allowed" : code) + " (expected: NOAUTH)");
        }
        return List.copyOf(refused);
    }

    /** One call of an outsider and, once the server answered, its result code. */
    private record Answer(Outsider outsider, String path, String call, CompletableFuture<Integer> rc) {
    }

    private static Answer ask(Outsider o, String path, String call, Consumer<CompletableFuture<Integer>> send) {
        CompletableFuture<Integer> rc = new CompletableFuture<>();
        send.accept(rc);
        return new Answer(o, path, call, rc);
    }

    @Override
    public void close() throws InterruptedException {
        for (Outsider o : outsiders) {
            o.client().close();
        }
    }
}
