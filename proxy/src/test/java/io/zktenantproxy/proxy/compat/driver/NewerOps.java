package io.zktenantproxy.proxy.compat.driver;

import static io.zktenantproxy.proxy.compat.driver.ZooKeeperScenario.ROOT;
import static io.zktenantproxy.proxy.compat.driver.ZooKeeperScenario.bytes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * The ZooKeeper 3.6+ part of {@link ZooKeeperScenario}: a persistent recursive watch ({@code addWatch}, opcode 106),
 * a read-only {@code multi} ({@code multiRead}, 22) and {@code getEphemerals} (103). A class of its own so that a
 * 3.4 or 3.5 client, which has none of these methods, never links it ({@link Steps#NEWER_OPS} {@code "absent"}).
 *
 * <p>{@code "served"}: the watch fires for every znode created below the root, before and after the cut (the client
 * re-registers it with {@code setWatches2}), and the reads return tenant paths. {@code "unimplemented"} (an ensemble
 * older than 3.6): each request fails with {@code UNIMPLEMENTED} (-6), answered by the proxy, and the connection and
 * session go on (no {@code Disconnected}).
 */
final class NewerOps {
    private static final int UNIMPLEMENTED = -6;

    private NewerOps() {
    }

    static void beforeCut(Steps s, ZooKeeper zk, BlockingQueue<String> recursive, BlockingQueue<String> events)
            throws Exception {
        switch (s.newerOps()) {
            case "served" -> served(s, zk, recursive);
            case "unimplemented" -> unimplemented(s, zk, events);
            case "absent" -> s.ok("3.6-requests", "not in this client");
            default -> throw new AssertionError("newerOps " + s.newerOps());
        }
    }

    static void afterCut(Steps s, ZooKeeper zk, BlockingQueue<String> recursive) throws Exception {
        if ("served".equals(s.newerOps())) {
            zk.create(ROOT + "/r2", bytes("r"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            Steps.await(recursive, "NodeCreated " + ROOT + "/r2");
            s.ok("persistent-watch-resumed", "the recursive watch fired after the cut");
        }
    }

    private static void served(Steps s, ZooKeeper zk, BlockingQueue<String> recursive) throws Exception {
        zk.addWatch(ROOT, ZooKeeperScenario.recorder(recursive), AddWatchMode.PERSISTENT_RECURSIVE);
        zk.create(ROOT + "/r", bytes("r"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(ROOT + "/r/s", bytes("s"), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        Steps.await(recursive, "NodeCreated " + ROOT + "/r");
        Steps.await(recursive, "NodeCreated " + ROOT + "/r/s");
        s.ok("addWatch", "persistent recursive watch fired for " + ROOT + "/r and " + ROOT + "/r/s");

        List<OpResult> reads = zk.multi(Arrays.asList(Op.getData(ROOT), Op.getChildren(ROOT + "/r")));
        Steps.checkEquals("v1", new String(((OpResult.GetDataResult) reads.get(0)).getData(),
                java.nio.charset.StandardCharsets.UTF_8), "multiRead getData");
        Steps.checkEquals(List.of("s"), ((OpResult.GetChildrenResult) reads.get(1)).getChildren(),
                "multiRead getChildren");
        s.ok("multiRead", "getData and getChildren in one multi");

        Steps.checkEquals(List.of(ROOT + "/eph"), zk.getEphemerals(ROOT), "getEphemerals(" + ROOT + ")");
        Steps.checkEquals(List.of(ROOT + "/eph"), zk.getEphemerals(), "getEphemerals()");
        s.ok("getEphemerals", "tenant paths only");
    }

    private static void unimplemented(Steps s, ZooKeeper zk, BlockingQueue<String> events) throws Exception {
        long session = zk.getSessionId();
        List<String> refused = new ArrayList<>();
        refused.add(expectUnimplemented("addWatch",
                () -> zk.addWatch(ROOT, event -> { }, AddWatchMode.PERSISTENT_RECURSIVE)));
        refused.add(expectUnimplemented("multiRead", () -> zk.multi(Arrays.asList(Op.getData(ROOT)))));
        refused.add(expectUnimplemented("getEphemerals", () -> zk.getEphemerals(ROOT)));
        zk.getData(ROOT, false, null);
        Steps.checkEquals(session, zk.getSessionId(), "the session after -6");
        Steps.check(events.stream().noneMatch(e -> e.startsWith("state ")), "connection events after -6: " + events);
        s.ok("3.6-requests", "UNIMPLEMENTED for " + refused + ", connection and session kept");
    }

    private interface Call {
        void run() throws Exception;
    }

    private static String expectUnimplemented(String name, Call call) throws Exception {
        try {
            call.run();
        } catch (KeeperException e) {
            Steps.checkEquals(UNIMPLEMENTED, e.code().intValue(), name + "'s error");
            return name;
        }
        throw new AssertionError(name + " succeeded on an ensemble that lacks it");
    }
}
