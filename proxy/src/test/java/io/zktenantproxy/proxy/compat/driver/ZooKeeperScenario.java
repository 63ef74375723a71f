package io.zktenantproxy.proxy.compat.driver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Issue 15's scenario for one ZooKeeper Java client, any release from 3.4.14 to 3.9.5: compiled against the test
 * class path's 3.9.5 API, run in a class loader that holds another release ({@code ClientLoader}). It therefore calls
 * only what every release has, with the same method descriptors, and keeps the 3.6+ calls in {@link NewerOps}, which a
 * 3.4 or 3.5 client never loads. No try-with-resources on {@code ZooKeeper}: 3.4's is not {@code AutoCloseable}.
 *
 * <p>Steps, each reported {@code "ok <step> ..."} ({@link Steps}): connect; {@code /zookeeper/config} names the
 * proxy (answered by it, whatever the ensemble's release); create persistent, ephemeral and
 * sequential znodes (the sequential name comes back without the chroot); getData/exists/getChildren watches that all
 * fire; a {@code multi} whose {@code check} fails (BADVERSION, nothing created); a version conflict; the 3.6+
 * requests ({@link NewerOps}); a cut of the connection by the proxy, after which the same session resumes and the
 * watch set before the cut fires (re-registered by {@code setWatches}); session expiry, after which the ephemeral
 * is gone.
 */
public final class ZooKeeperScenario implements Consumer<Map<String, Object>> {
    static final String ROOT = "/compat";
    private static final int SESSION_TIMEOUT_MS = 30_000;
    private static final int BADVERSION = -103;

    /** Runs the scenario with the harness's parameters ({@link Steps}); throws {@link AssertionError} at a failure. */
    @Override
    public void accept(Map<String, Object> params) {
        Steps.run(params, ZooKeeperScenario::run);
    }

    private static void run(Steps s) throws Exception {
        BlockingQueue<String> events = Steps.queue();
        ZooKeeper zk = new ZooKeeper(s.connectString(), SESSION_TIMEOUT_MS, recorder(events));
        try {
            Steps.await(events, "state SyncConnected");
            long session = zk.getSessionId();
            byte[] password = zk.getSessionPasswd();
            s.ok("connect", "session 0x" + Long.toHexString(session));

            proxyConfig(s, zk);
            createThree(s, zk);
            watchesFire(s, zk, events);
            failingMulti(s, zk);
            versionConflict(s, zk);
            BlockingQueue<String> recursive = Steps.queue();
            NewerOps.beforeCut(s, zk, recursive, events);
            cutAndResume(s, zk, events, session);
            NewerOps.afterCut(s, zk, recursive);
            expire(s, events, session, password);
        } finally {
            zk.close();
        }
    }

    /** {@code /zookeeper/config} is the proxy's, on every ensemble release: its client address is the proxy's. */
    private static void proxyConfig(Steps s, ZooKeeper zk) throws Exception {
        String config = new String(zk.getData("/zookeeper/config", false, null), StandardCharsets.UTF_8);
        Steps.check(config.contains(";" + s.connectString()), "/zookeeper/config names the proxy " + s.connectString()
                + ": " + config.strip());
        s.ok("proxy-config", config.strip().replace('\n', ' '));
    }

    private static void createThree(Steps s, ZooKeeper zk) throws Exception {
        Steps.checkEquals(ROOT, zk.create(ROOT, bytes("v0"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT),
                "create persistent");
        Steps.checkEquals(ROOT + "/eph", zk.create(ROOT + "/eph", bytes("e"), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.EPHEMERAL), "create ephemeral");
        String sequential = zk.create(ROOT + "/seq-", bytes("s"), ZooDefs.Ids.OPEN_ACL_UNSAFE,
                CreateMode.PERSISTENT_SEQUENTIAL);
        Steps.check(sequential.matches(ROOT + "/seq-\\d{10}"), "sequential path " + sequential);
        s.ok("create", "persistent, ephemeral, sequential " + sequential);
    }

    private static void watchesFire(Steps s, ZooKeeper zk, BlockingQueue<String> events) throws Exception {
        zk.getData(ROOT, true, null);
        Steps.check(zk.exists(ROOT + "/new", true) == null, ROOT + "/new exists already");
        zk.getChildren(ROOT, true);
        zk.setData(ROOT, bytes("v1"), -1);
        zk.create(ROOT + "/new", bytes("n"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Steps.awaitAll(events, "NodeDataChanged " + ROOT, "NodeCreated " + ROOT + "/new",
                "NodeChildrenChanged " + ROOT);
        s.ok("watches", "data, exists and child watches fired");
    }

    private static void failingMulti(Steps s, ZooKeeper zk) throws Exception {
        List<Op> ops = Arrays.asList(Op.check(ROOT, 999),
                Op.create(ROOT + "/never", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT));
        try {
            zk.multi(ops);
            throw new AssertionError("a multi whose check fails succeeded");
        } catch (KeeperException e) {
            Steps.checkEquals(BADVERSION, e.code().intValue(), "the multi's error");
            List<Integer> errors = new ArrayList<>();
            for (OpResult r : e.getResults()) {
                errors.add(((OpResult.ErrorResult) r).getErr());
            }
            Steps.checkEquals(BADVERSION, errors.get(0), "the check's result in " + errors);
            Steps.check(zk.exists(ROOT + "/never", false) == null, "the failed multi created " + ROOT + "/never");
            s.ok("multi", "check failed, results " + errors);
        }
    }

    private static void versionConflict(Steps s, ZooKeeper zk) throws Exception {
        try {
            zk.setData(ROOT, bytes("v2"), 999);
            throw new AssertionError("setData with a wrong version succeeded");
        } catch (KeeperException e) {
            Steps.checkEquals(BADVERSION, e.code().intValue(), "setData with a wrong version");
        }
        s.ok("version-conflict", "BADVERSION");
    }

    private static void cutAndResume(Steps s, ZooKeeper zk, BlockingQueue<String> events, long session)
            throws Exception {
        zk.getData(ROOT + "/new", true, null);
        s.cut();
        Steps.await(events, "state Disconnected");
        Steps.await(events, "state SyncConnected");
        Steps.checkEquals(session, zk.getSessionId(), "the session after the cut");
        Steps.check(zk.exists(ROOT + "/eph", false) != null, "the ephemeral is gone after the cut");
        zk.setData(ROOT + "/new", bytes("n1"), -1);
        Steps.await(events, "NodeDataChanged " + ROOT + "/new");
        s.ok("cut-resume", "same session, ephemeral kept, the watch set before the cut fired");
    }

    /** The ZooKeeper FAQ's way: a second client on the same session id and password closes the session. */
    private static void expire(Steps s, BlockingQueue<String> events, long session, byte[] password)
            throws Exception {
        BlockingQueue<String> twinEvents = Steps.queue();
        ZooKeeper twin = new ZooKeeper(s.connectString(), SESSION_TIMEOUT_MS, recorder(twinEvents), session,
                password);
        try {
            Steps.await(twinEvents, "state SyncConnected");
        } finally {
            twin.close();
        }
        Steps.await(events, "state Expired");
        BlockingQueue<String> freshEvents = Steps.queue();
        ZooKeeper fresh = new ZooKeeper(s.connectString(), SESSION_TIMEOUT_MS, recorder(freshEvents));
        try {
            Steps.await(freshEvents, "state SyncConnected");
            Steps.check(fresh.exists(ROOT + "/eph", false) == null, "the ephemeral outlived its session");
        } finally {
            fresh.close();
        }
        s.ok("expiry", "Expired seen, ephemeral gone");
    }

    /** A watcher that queues {@code "state <KeeperState>"} for connection events, else {@code "<EventType> <path>"}. */
    static Watcher recorder(BlockingQueue<String> events) {
        return event -> events.add(event.getType() == Watcher.Event.EventType.None
                ? "state " + event.getState()
                : event.getType() + " " + event.getPath());
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
