package io.zktenantproxy.proxy.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The fault injector of a run: one fault at a time (a flood runs on beside the next ones), each kind once per round
 * in an order shuffled by the run's seed, every target, duration and pause drawn from that seed, so that a seed
 * reproduces a run's schedule (the timing of the clients' operations around it cannot be). Each fault is healed
 * before the next one.
 */
final class Nemesis {
    private final Topology topology;
    private final Random random;
    private final BudgetFlood flood;
    private final long startNanos = System.nanoTime();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private final List<String> history = new ArrayList<>();

    /** @param flood the tenant that floods its budget when {@link Fault#FLOOD_BUDGET} comes */
    Nemesis(Topology topology, long seed, BudgetFlood flood) {
        this.topology = topology;
        this.random = new Random(seed);
        this.flood = flood;
    }

    /**
     * Injects faults until {@code length} has passed, and at least one whole round (every kind once), so a short run
     * still injects every kind; the fault under way when time is up is finished and healed.
     */
    void run(Duration length) throws Exception {
        long end = startNanos + length.toNanos();
        boolean roundDone = false;
        while (stopped.getCount() > 0) {
            List<Fault> round = new ArrayList<>(Arrays.asList(Fault.values()));
            Collections.shuffle(round, random);
            for (Fault fault : round) {
                if (roundDone && System.nanoTime() - end >= 0) {
                    return;
                }
                inject(fault);
                hold(millisBetween(1_000, 3_000));
            }
            roundDone = true;
        }
    }

    /** Ends {@link #run} after the fault under way is healed. */
    void stop() {
        stopped.countDown();
    }

    /** @return how many faults of each kind were injected */
    Map<Fault, Integer> injected() {
        return Collections.unmodifiableMap(injected);
    }

    /** @return one line per fault: when, what, on what, for how long */
    List<String> history() {
        return Collections.unmodifiableList(history);
    }

    private void inject(Fault fault) throws Exception {
        injected.merge(fault, 1, Integer::sum);
        switch (fault) {
            case KILL_PROXY -> {
                ProxyReplica replica = pick(topology.replicas());
                long down = millisBetween(2_000, 5_000);
                log(fault, replica.jvm().name() + ", started again after " + down + " ms");
                replica.jvm().kill();
                hold(down);
                replica.restart();
            }
            case KILL_LEADER, KILL_FOLLOWER -> {
                QuorumProcesses quorum = topology.quorum();
                quorum.awaitServing(Duration.ofSeconds(90));
                QuorumProcesses.Server server = (fault == Fault.KILL_LEADER ? quorum.leader() : quorum.follower())
                        .orElseThrow(() -> new IllegalStateException("no server in that role"));
                long down = millisBetween(2_000, 5_000);
                log(fault, server.jvm().name() + ", started again after " + down + " ms");
                server.jvm().kill();
                hold(down);
                server.jvm().start();
                quorum.awaitServing(Duration.ofSeconds(90));
            }
            case FREEZE_PROXY -> {
                ProxyReplica replica = pick(topology.replicas());
                long frozen = TenantSession.SESSION_TIMEOUT_MS + millisBetween(1_000, 4_000);
                log(fault, replica.jvm().name() + " for " + frozen + " ms");
                replica.jvm().freeze();
                try {
                    hold(frozen);
                } finally {
                    replica.jvm().thaw();
                }
            }
            case CUT_CLIENT_LINK, CUT_SERVER_LINK -> {
                FaultyLink link = pick(fault == Fault.CUT_CLIENT_LINK ? topology.allClientLinks()
                        : topology.serverLinks());
                long cut = millisBetween(1_000, 5_000);
                log(fault, link.name() + " for " + cut + " ms");
                link.cut(Duration.ofMillis(cut));
                hold(cut);
            }
            case DELAY_CLIENT_LINK, DELAY_SERVER_LINK -> {
                boolean client = fault == Fault.DELAY_CLIENT_LINK;
                FaultyLink link = pick(client ? topology.allClientLinks() : topology.serverLinks());
                long latency = client ? millisBetween(100, 1_000) : millisBetween(50, 500);
                long length = millisBetween(3_000, 8_000);
                log(fault, link.name() + " by " + latency + " ms for " + length + " ms");
                link.delay(Duration.ofMillis(latency));
                try {
                    hold(length);
                } finally {
                    link.heal();
                }
            }
            case FLOOD_BUDGET -> {
                long length = millisBetween(8_000, 15_000);
                log(fault, "for " + length + " ms, beside the next faults");
                flood.start(length);
            }
        }
    }

    private void log(Fault fault, String detail) {
        String line = String.format("t+%6.1f s  %-32s %s", (System.nanoTime() - startNanos) / 1e9,
                fault.description(), detail);
        history.add(line);
        System.err.println("faults: " + line);
    }

    /** Keeps the fault in place for {@code millis}, or less if the run is stopped. */
    private void hold(long millis) throws InterruptedException {
        stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    private long millisBetween(long low, long high) {
        return low + (long) (random.nextDouble() * (high - low));
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}
