package io.zktenantproxy.proxy.faults;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * Ephemerals: owner sessions create ephemeral znodes under {@code /ledger/eph}; every {@value #RENEW_EVERY_MS} ms the
 * oldest owner closes its session and a new owner takes its place. A monitor session checks, with a {@code sync}
 * first, that every acknowledged ephemeral of a live owner exists (gone while its session lives: lost). The check
 * awaits, for every closed or expired owner, that all its ephemerals are gone (one that stays: duplicated, an
 * ephemeral outliving its session), and that a live owner's are all there at the end.
 */
final class Ephemerals extends Workload {
    static final String PARENT = "/ledger/eph";
    private static final int OWNERS = 3;
    private static final long CREATE_PERIOD_MS = 250;
    private static final long MONITOR_PERIOD_MS = 2_000;
    private static final long RENEW_EVERY_MS = 15_000;
    private static final int CHECKED_PER_OWNER = 20;
    private static final Duration GONE_DEADLINE = Duration.ofSeconds(60);

    private final List<Owner> owners = new CopyOnWriteArrayList<>();
    private final List<Owner> ended = new CopyOnWriteArrayList<>();
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    /** Ephemerals found gone while their owner's client did not know its session ended, to its owner. */
    private final java.util.Map<String, Owner> suspects = new ConcurrentHashMap<>();
    private TenantSession monitor;

    /** One owner session and the ephemerals it was told it created. */
    private static final class Owner {
        final long generation;
        final String name;
        final TenantSession session;
        final List<String> created = new CopyOnWriteArrayList<>();
        final AtomicLong next = new AtomicLong();

        Owner(long generation, TenantSession session) {
            this.generation = generation;
            this.name = "o" + generation;
            this.session = session;
        }
    }

    Ephemerals(String tenant, String connectString) {
        super(tenant, connectString);
    }

    @Override
    String name() {
        return "ephemerals";
    }

    @Override
    void setUp() throws Exception {
        monitor = TenantSession.open(connectString);
        Znodes.createParents(monitor.zk(), PARENT + "/x");
        Znodes.create(monitor.zk(), PARENT, tagged(""));
        for (int i = 0; i < OWNERS; i++) {
            owners.add(newOwner());
        }
    }

    private Owner newOwner() throws Exception {
        return new Owner(generation.getAndIncrement(), TenantSession.open(connectString));
    }

    @Override
    void start() {
        for (int i = 0; i < OWNERS; i++) {
            int slot = i;
            every("eph-" + i, CREATE_PERIOD_MS, () -> create(owners.get(slot)));
        }
        every("eph-renew", RENEW_EVERY_MS, RENEW_EVERY_MS, this::renewOldest);
        every("eph-monitor", MONITOR_PERIOD_MS, this::monitorLiveOwners);
    }

    private void create(Owner owner) {
        if (owner.session.ended()) {
            return;
        }
        String path = PARENT + "/" + owner.name + "-" + owner.next.getAndIncrement();
        try {
            owner.session.zk().create(path, tagged(path).getBytes(StandardCharsets.UTF_8),
                    ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
            acked.incrementAndGet();
            owner.created.add(path);
        } catch (KeeperException | InterruptedException e) {
            if (Outcome.of(e) == Outcome.UNKNOWN) {
                unknown.incrementAndGet();
            }
        }
    }

    /** Closes the oldest owner's session (its ephemerals must go) and puts a new owner in its slot. */
    private void renewOldest() {
        Owner oldest = owners.stream().min((a, b) -> Long.compare(a.generation, b.generation)).orElseThrow();
        try {
            Owner fresh = newOwner();
            owners.set(owners.indexOf(oldest), fresh);
            oldest.session.close();
            ended.add(oldest);
        } catch (Exception e) {
            // no new session now (faults): try again next period
        }
    }

    private void monitorLiveOwners() {
        for (Owner owner : owners) {
            List<String> created = owner.created;
            for (String path : created.subList(Math.max(0, created.size() - CHECKED_PER_OWNER), created.size())) {
                try {
                    Znodes.sync(monitor.zk(), path);
                    boolean exists = monitor.zk().exists(path, false) != null;
                    if (!exists && !owner.session.ended() && suspects.putIfAbsent(path, owner) == null) {
                        System.err.println("faults: ephemeral " + path + " of session 0x"
                                + Long.toHexString(owner.session.zk().getSessionId()) + " is gone");
                    }
                } catch (KeeperException | InterruptedException | IllegalStateException e) {
                    return; // the monitor is reconnecting: next period
                }
            }
        }
    }

    @Override
    Verdict check(ZooKeeper reader) throws Exception {
        long expired = 0;
        for (Owner owner : owners) {
            if (owner.session.expired()) {
                expired++;
                ended.add(owner);
            } else {
                Znodes.sync(reader, PARENT);
                for (String path : owner.created) {
                    if (reader.exists(path, false) == null) {
                        suspects.putIfAbsent(path, owner);
                    }
                }
                owner.session.close();
                ended.add(owner);
            }
        }
        List<String> mustGo = new ArrayList<>();
        ended.forEach(o -> mustGo.addAll(o.created));
        List<String> remaining = new ArrayList<>(mustGo);
        try {
            await("every ephemeral of an ended session gone").atMost(GONE_DEADLINE)
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).until(() -> {
                        Znodes.sync(reader, PARENT);
                        remaining.removeIf(path -> {
                            try {
                                return reader.exists(path, false) == null;
                            } catch (KeeperException | InterruptedException e) {
                                return false;
                            }
                        });
                        return remaining.isEmpty();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            System.err.println("faults: ephemerals of ended sessions still there: " + remaining);
        }
        long outlived = remaining.size();
        // The client learns that its session expired only when it reconnects: a suspect whose owner learnt it later
        // went with its session; one whose owner's session lived on (or was closed by the workload) was lost.
        long lost = suspects.values().stream().filter(o -> !o.session.expired()).count();
        return new Verdict(name(), tenant, acked.get(), unknown.get(), lost, outlived, 0, 0, 0,
                generation.get() + " owner sessions, " + expired + " expired");
    }

    @Override
    public void close() throws Exception {
        super.close();
        for (Owner o : owners) {
            o.session.close();
        }
        if (monitor != null) {
            monitor.close();
        }
    }
}
