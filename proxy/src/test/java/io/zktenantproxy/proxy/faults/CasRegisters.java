package io.zktenantproxy.proxy.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * Conditional setData on a few registers ({@code /ledger/cas/r0..}): a client reads a register's version and writes
 * its operation's id with {@code setData(path, data, version)}, a compare-and-set. The check: no client ever sees a
 * register's version go backwards, whether it read it or its write returned it, across every reconnect to another
 * replica or server (ZooKeeper refuses a server behind what a session saw), and an acknowledged write's new version
 * is the one it compared plus one (else order violations); no two acknowledged writes made the same version (else
 * duplicated); the final value is that of the acknowledged write with the highest version, or, if the version is
 * higher, one of the unknown writes (else lost; a refused write found there counts as duplicated).
 */
final class CasRegisters extends Workload {
    static final String PARENT = "/ledger/cas";
    private static final int CLIENTS = 2;
    private static final int REGISTERS = 3;
    private static final long PERIOD_MS = 50;

    private final long seed;
    private final List<TenantSession> sessions = new ArrayList<>();
    /** Per register: version to the acknowledged write that made it. */
    private final List<Map<Integer, String>> ackedByVersion = new ArrayList<>();
    private final List<Set<String>> unknownWrites = new ArrayList<>();
    private final List<Set<String>> failedWrites = new ArrayList<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong order = new AtomicLong();

    CasRegisters(String tenant, String connectString, long seed) {
        super(tenant, connectString);
        this.seed = seed;
        for (int r = 0; r < REGISTERS; r++) {
            ackedByVersion.add(new ConcurrentHashMap<>());
            unknownWrites.add(ConcurrentHashMap.newKeySet());
            failedWrites.add(ConcurrentHashMap.newKeySet());
        }
    }

    @Override
    String name() {
        return "compare-and-set";
    }

    @Override
    void setUp() throws Exception {
        for (int i = 0; i < CLIENTS; i++) {
            sessions.add(TenantSession.open(connectString));
        }
        ZooKeeper zk = sessions.get(0).zk();
        Znodes.createParents(zk, PARENT + "/x");
        for (int r = 0; r < REGISTERS; r++) {
            Znodes.create(zk, register(r), tagged("initial"));
        }
    }

    @Override
    void start() {
        for (int i = 0; i < CLIENTS; i++) {
            TenantSession session = sessions.get(i);
            String client = "cas-" + i;
            Random random = new Random(seed + i);
            int[] seen = new int[REGISTERS];
            AtomicLong next = new AtomicLong();
            every(client, PERIOD_MS, () -> {
                int r = random.nextInt(REGISTERS);
                String op = tagged(client + "-" + next.getAndIncrement());
                Stat read = new Stat();
                try {
                    session.zk().getData(register(r), false, read);
                } catch (KeeperException | InterruptedException e) {
                    return; // a read changes nothing: nothing to record
                }
                observe(seen, r, read.getVersion());
                try {
                    Stat written = session.zk().setData(register(r), op.getBytes(StandardCharsets.UTF_8),
                            read.getVersion());
                    acked.incrementAndGet();
                    if (written.getVersion() != read.getVersion() + 1) {
                        order.incrementAndGet();
                    }
                    if (ackedByVersion.get(r).putIfAbsent(written.getVersion(), op) != null) {
                        duplicated.incrementAndGet();
                    }
                    observe(seen, r, written.getVersion());
                } catch (KeeperException | InterruptedException e) {
                    if (Outcome.of(e) == Outcome.UNKNOWN) {
                        unknown.incrementAndGet();
                        unknownWrites.get(r).add(op);
                    } else {
                        failedWrites.get(r).add(op);
                    }
                }
            });
        }
    }

    /** Counts an order violation if {@code version} is below what this client saw of register {@code r}. */
    private void observe(int[] seen, int r, int version) {
        if (version < seen[r]) {
            order.incrementAndGet();
        }
        seen[r] = Math.max(seen[r], version);
    }

    @Override
    Verdict check(ZooKeeper reader) throws Exception {
        long lost = 0;
        long dup = duplicated.get();
        long foreign = 0;
        StringBuilder note = new StringBuilder();
        for (int r = 0; r < REGISTERS; r++) {
            Znodes.sync(reader, register(r));
            Stat stat = new Stat();
            String value = new String(reader.getData(register(r), false, stat), StandardCharsets.UTF_8);
            if (!value.startsWith(tenant + TAG_SEPARATOR)) {
                foreign++;
            }
            Map<Integer, String> acks = ackedByVersion.get(r);
            int newest = acks.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
            if (stat.getVersion() < newest) {
                lost++;
            } else if (stat.getVersion() == newest && newest > 0 && !value.equals(acks.get(newest))) {
                lost++;
            } else if (stat.getVersion() > newest && !unknownWrites.get(r).contains(value)) {
                if (failedWrites.get(r).contains(value)) {
                    dup++;
                } else {
                    lost++;
                }
            }
            note.append(r == 0 ? "" : ", ").append("r").append(r).append(" v").append(stat.getVersion());
        }
        return new Verdict(name(), tenant, acked.get(), unknown.get(), lost, dup, order.get(), 0, foreign,
                note.toString());
    }

    private static String register(int r) {
        return PARENT + "/r" + r;
    }

    @Override
    public void close() throws Exception {
        super.close();
        for (TenantSession s : sessions) {
            s.close();
        }
    }
}
