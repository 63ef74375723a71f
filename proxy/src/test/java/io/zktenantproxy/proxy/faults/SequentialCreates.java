package io.zktenantproxy.proxy.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Sequential creates: clients create {@code /ledger/seq/n-} with {@code CreateMode.PERSISTENT_SEQUENTIAL}, each
 * znode holding the operation's id. The check: every acknowledged path exists and holds its operation's id (else
 * lost); no two acknowledged creates got the same name and no operation's id is in two znodes (else duplicated);
 * every client's acknowledged sequence numbers grow (else an order violation, since a create acknowledged before
 * another one is sent is ordered before it); every returned path is under the tenant's own {@code /ledger/seq}
 * (else an isolation violation: the proxy did not strip its chroot, or returned another's). Unknown creates are
 * resolved by reading: found (applied) or not.
 */
final class SequentialCreates extends Workload {
    static final String PARENT = "/ledger/seq";
    private static final int CLIENTS = 2;
    private static final long PERIOD_MS = 40;

    private final List<TenantSession> sessions = new ArrayList<>();
    private final Map<String, String> ackedPathToOp = new ConcurrentHashMap<>();
    private final Set<String> unknownOps = ConcurrentHashMap.newKeySet();
    private final Set<String> failedOps = ConcurrentHashMap.newKeySet();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong order = new AtomicLong();
    private final AtomicLong isolation = new AtomicLong();

    SequentialCreates(String tenant, String connectString) {
        super(tenant, connectString);
    }

    @Override
    String name() {
        return "sequential creates";
    }

    @Override
    void setUp() throws Exception {
        for (int i = 0; i < CLIENTS; i++) {
            sessions.add(TenantSession.open(connectString));
        }
        Znodes.createParents(sessions.get(0).zk(), PARENT + "/x");
    }

    @Override
    void start() {
        for (int i = 0; i < CLIENTS; i++) {
            TenantSession session = sessions.get(i);
            String client = "seq-" + i;
            AtomicLong next = new AtomicLong();
            long[] lastSequence = {-1};
            every(client, PERIOD_MS, () -> {
                String op = tagged(client + "-" + next.getAndIncrement());
                try {
                    String path = session.zk().create(PARENT + "/n-", op.getBytes(StandardCharsets.UTF_8),
                            ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT_SEQUENTIAL);
                    acked.incrementAndGet();
                    if (!path.startsWith(PARENT + "/n-")) {
                        isolation.incrementAndGet();
                        return;
                    }
                    if (ackedPathToOp.putIfAbsent(path, op) != null) {
                        duplicated.incrementAndGet();
                    }
                    long sequence = Long.parseLong(path.substring(path.length() - 10));
                    if (sequence <= lastSequence[0]) {
                        order.incrementAndGet();
                    }
                    lastSequence[0] = sequence;
                } catch (KeeperException | InterruptedException e) {
                    (Outcome.of(e) == Outcome.UNKNOWN ? unknownOps : failedOps).add(op);
                }
            });
        }
    }

    @Override
    Verdict check(ZooKeeper reader) throws Exception {
        Map<String, String> finalPathToOp = Znodes.childrenData(reader, PARENT);
        Map<String, Integer> copies = new HashMap<>();
        finalPathToOp.values().forEach(op -> copies.merge(op, 1, Integer::sum));
        long lost = ackedPathToOp.entrySet().stream()
                .filter(e -> !e.getValue().equals(finalPathToOp.get(e.getKey()))).count();
        long dup = duplicated.get() + copies.values().stream().filter(n -> n > 1).count()
                + failedOps.stream().filter(copies::containsKey).count();
        long foreign = finalPathToOp.values().stream().filter(op -> !op.startsWith(tenant + TAG_SEPARATOR)).count();
        long applied = unknownOps.stream().filter(copies::containsKey).count();
        return new Verdict(name(), tenant, acked.get(), unknownOps.size(), lost, dup, order.get(), 0,
                isolation.get() + foreign, applied + " of the unknown applied; " + finalPathToOp.size() + " znodes");
    }

    @Override
    public void close() throws Exception {
        super.close();
        for (TenantSession s : sessions) {
            s.close();
        }
    }
}
