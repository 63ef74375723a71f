package io.zktenantproxy.proxy.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * {@link ZkOps} on one real ZooKeeper session, writing each call and its normalised outcome as one transcript line.
 * Two transcripts of one scenario, through the proxy and through ZooKeeper's own client-side chroot, must be equal.
 *
 * <p>A {@link View} turns a target's raw answers into what a tenant should see. The proxy's view is the identity.
 * The client-chroot view makes up for what ZooKeeper's Java client does not translate (ZOOKEEPER-NOTES.md): the
 * prefix of getEphemerals is sent without the chroot and the answer comes back with full server paths; multi create
 * results keep the chroot. That view prepends and strips for it, strictly (a path outside the chroot shows as
 * {@code OUTSIDE-CHROOT <path>} and fails the comparison), so the comparison says the proxy's answers are the ones a
 * correct chroot gives.
 */
final class TranscriptOps implements ZkOps {

    /** How raw answers of a target become the tenant's view. */
    interface View {
        /** @return the getEphemerals prefix to send for the tenant's {@code clientPrefix} */
        String ephemeralsPrefix(String clientPrefix);

        /** @return the tenant path for a path in a multi create result */
        String resultPath(String raw);

        /** @return the tenant's ephemerals for the paths getEphemerals answered */
        List<String> ephemerals(List<String> raw);
    }

    /** The proxy translates everything itself. */
    static final View AS_IS = new View() {
        @Override
        public String ephemeralsPrefix(String clientPrefix) {
            return clientPrefix;
        }

        @Override
        public String resultPath(String raw) {
            return raw;
        }

        @Override
        public List<String> ephemerals(List<String> raw) {
            return raw;
        }
    };

    /** What ZooKeeper's client-side chroot leaves untranslated, translated (with the {@code /} boundary check). */
    static View clientChroot(String chroot) {
        return new View() {
            @Override
            public String ephemeralsPrefix(String clientPrefix) {
                return clientPrefix.equals("/") ? chroot : chroot + clientPrefix;
            }

            @Override
            public String resultPath(String raw) {
                if (raw.equals(chroot)) {
                    return "/";
                }
                return raw.startsWith(chroot + "/") ? raw.substring(chroot.length()) : "OUTSIDE-CHROOT " + raw;
            }

            @Override
            public List<String> ephemerals(List<String> raw) {
                List<String> out = new ArrayList<>();
                for (String path : raw) {
                    if (path.equals(chroot) || path.startsWith(chroot + "/")) {
                        out.add(resultPath(path));
                    }
                }
                return out;
            }
        };
    }

    private final ZooKeeper zk;
    private final Events events;
    private final View view;
    private final List<String> transcript = new ArrayList<>();

    /** @param events the default watcher of {@code zk} */
    TranscriptOps(ZooKeeper zk, Events events, View view) {
        this.zk = zk;
        this.events = events;
        this.view = view;
    }

    List<String> transcript() {
        return List.copyOf(transcript);
    }

    private String run(String call, Callable<String> op) {
        String outcome;
        try {
            outcome = op.call();
        } catch (KeeperException e) {
            outcome = "error " + e.code() + (e.getPath() == null ? "" : " at " + e.getPath())
                    + (e.getResults() == null ? "" : " results " + results(e.getResults()));
        } catch (Exception e) {
            outcome = "exception " + e;
        }
        transcript.add(String.format("%03d %-58s -> %s", transcript.size() + 1, call, outcome));
        return outcome;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] data) {
        return data == null ? "null" : "'" + new String(data, StandardCharsets.UTF_8) + "'";
    }

    /** A Stat without times, zxids and session ids: versions, sizes, and whose ephemeral it is. */
    private String stat(Stat s) {
        if (s == null) {
            return "null";
        }
        String owner = s.getEphemeralOwner() == 0 ? "none"
                : s.getEphemeralOwner() == zk.getSessionId() ? "this-session" : "other-session";
        return "stat{v=" + s.getVersion() + " cv=" + s.getCversion() + " av=" + s.getAversion() + " len="
                + s.getDataLength() + " kids=" + s.getNumChildren() + " owner=" + owner
                + (s.getMzxid() == s.getCzxid() ? "" : " modified") + "}";
    }

    private static String acl(List<ACL> acl) {
        return acl.stream().map(a -> a.getId().getScheme() + ":" + a.getId().getId() + ":" + a.getPerms()).toList()
                .toString();
    }

    private static String sorted(List<String> list) {
        return list == null ? "null" : new TreeSet<>(list).toString();
    }

    private String results(List<OpResult> results) {
        List<String> out = new ArrayList<>();
        for (OpResult r : results) {
            if (r instanceof OpResult.CreateResult c) {
                out.add("create " + view.resultPath(c.getPath()) + (c.getStat() == null ? "" : " " + stat(c.getStat())));
            } else if (r instanceof OpResult.SetDataResult d) {
                out.add("setData " + stat(d.getStat()));
            } else if (r instanceof OpResult.DeleteResult) {
                out.add("delete");
            } else if (r instanceof OpResult.CheckResult) {
                out.add("check");
            } else if (r instanceof OpResult.GetDataResult g) {
                out.add("getData " + text(g.getData()) + " " + stat(g.getStat()));
            } else if (r instanceof OpResult.GetChildrenResult g) {
                out.add("getChildren " + sorted(g.getChildren()));
            } else if (r instanceof OpResult.ErrorResult e) {
                out.add("error " + KeeperException.Code.get(e.getErr()));
            } else {
                out.add(r.getClass().getSimpleName());
            }
        }
        return out.toString();
    }

    private static String describe(Op op) {
        return op.getClass().getSimpleName() + "#" + op.getType() + "(" + op.getPath() + ")";
    }

    @Override
    public String create(String path, String data, CreateMode mode) {
        return run("create " + path + " " + mode, () -> zk.create(path, bytes(data),
                ZooDefs.Ids.OPEN_ACL_UNSAFE, mode));
    }

    @Override
    public String create2(String path, String data, CreateMode mode) {
        return run("create2 " + path + " " + mode, () -> {
            Stat s = new Stat();
            String created = zk.create(path, bytes(data), ZooDefs.Ids.OPEN_ACL_UNSAFE, mode, s);
            return created + " " + stat(s);
        });
    }

    @Override
    public String createTtl(String path, String data, CreateMode mode, long ttlMs) {
        return run("createTTL " + path + " " + mode + " " + ttlMs, () -> {
            Stat s = new Stat();
            String created = zk.create(path, bytes(data), ZooDefs.Ids.OPEN_ACL_UNSAFE, mode, s, ttlMs);
            return created + " " + stat(s);
        });
    }

    @Override
    public String delete(String path, int version) {
        return run("delete " + path + " v" + version, () -> {
            zk.delete(path, version);
            return "ok";
        });
    }

    @Override
    public String exists(String path, boolean watch) {
        return run("exists " + path + (watch ? " watch" : ""), () -> stat(zk.exists(path, watch)));
    }

    @Override
    public String getData(String path, boolean watch) {
        return run("getData " + path + (watch ? " watch" : ""), () -> {
            Stat s = new Stat();
            byte[] data = zk.getData(path, watch, s);
            return text(data) + " " + stat(s);
        });
    }

    @Override
    public String setData(String path, String data, int version) {
        return run("setData " + path + " '" + data + "' v" + version,
                () -> stat(zk.setData(path, bytes(data), version)));
    }

    @Override
    public String getChildren(String path, boolean watch) {
        return run("getChildren " + path + (watch ? " watch" : ""), () -> sorted(zk.getChildren(path, watch)));
    }

    @Override
    public String getChildren2(String path, boolean watch) {
        return run("getChildren2 " + path + (watch ? " watch" : ""), () -> {
            Stat s = new Stat();
            List<String> children = zk.getChildren(path, watch, s);
            return sorted(children) + " " + stat(s);
        });
    }

    @Override
    public String getAllChildrenNumber(String path) {
        return run("getAllChildrenNumber " + path, () -> Integer.toString(zk.getAllChildrenNumber(path)));
    }

    @Override
    public String getEphemerals(String prefix) {
        return run("getEphemerals" + (prefix == null ? "" : " " + prefix), () -> {
            List<String> raw = prefix == null && view == AS_IS ? zk.getEphemerals()
                    : zk.getEphemerals(view.ephemeralsPrefix(prefix == null ? "/" : prefix));
            return sorted(view.ephemerals(raw));
        });
    }

    @Override
    public String sync(String path) {
        return run("sync " + path, () -> {
            zk.sync(path);
            return "ok";
        });
    }

    @Override
    public String multi(List<Op> ops) {
        return run("multi " + ops.stream().map(TranscriptOps::describe).toList(),
                () -> results(zk.multi(ops)));
    }

    @Override
    public String getAcl(String path) {
        return run("getACL " + path, () -> {
            Stat s = new Stat();
            List<ACL> acl = zk.getACL(path, s);
            return acl(acl) + " " + stat(s);
        });
    }

    @Override
    public String setAcl(String path, List<ACL> acl, int version) {
        return run("setACL " + path + " " + acl(acl) + " v" + version, () -> stat(zk.setACL(path, acl, version)));
    }

    @Override
    public String addWatch(String path, AddWatchMode mode) {
        return run("addWatch " + path + " " + mode, () -> {
            zk.addWatch(path, mode);
            return "ok";
        });
    }

    @Override
    public String removeWatches(String path, Watcher.WatcherType type) {
        return run("removeWatches " + path + " " + type, () -> {
            zk.removeWatches(path, events, type, false);
            return "ok";
        });
    }

    @Override
    public String removeAllWatches(String path, Watcher.WatcherType type) {
        return run("removeAllWatches " + path + " " + type, () -> {
            zk.removeAllWatches(path, type, false);
            return "ok";
        });
    }

    @Override
    public String whoAmI() {
        return run("whoAmI", () -> zk.whoAmI().stream().map(c -> c.getAuthScheme() + ":" + c.getUser()).toList()
                .toString());
    }

    @Override
    public String events() {
        return run("events", () -> events.drain(zk).toString());
    }
}
