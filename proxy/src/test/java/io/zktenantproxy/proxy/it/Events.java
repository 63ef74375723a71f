package io.zktenantproxy.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/**
 * A {@link Watcher} that keeps everything it is told: node events (with their client paths) in one queue,
 * connection state changes in a history. Use one instance as a client's default watcher and pass the same instance
 * wherever a watcher is asked for, so every event arrives exactly once.
 *
 * <p>{@link #drain} needs no timing: ZooKeeper sends the watch events a write triggers on a session before the
 * reply to any later request of that session, and the client's event thread delivers events and async callbacks in
 * arrival order; so once a callback of a request sent now has run, every event caused by earlier writes (this
 * session's or, on one server, anyone's earlier in zxid order) is already here.
 */
public final class Events implements Watcher {
    /** The generous deadline of every wait in the integration tests. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private final BlockingQueue<WatchedEvent> nodeEvents = new LinkedBlockingQueue<>();
    private final List<Event.KeeperState> states = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Event.KeeperState> stateQueue = new LinkedBlockingQueue<>();

    @Override
    public void process(WatchedEvent event) {
        if (event.getType() == Event.EventType.None) {
            states.add(event.getState());
            stateQueue.add(event.getState());
        } else {
            nodeEvents.add(event);
        }
    }

    /** @return {@code "NodeDataChanged /a"} */
    public static String format(WatchedEvent e) {
        return e.getType() + " " + e.getPath();
    }

    /** @return the next node event, failing the test if none comes within the deadline */
    public WatchedEvent next() throws InterruptedException {
        WatchedEvent e = nodeEvents.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            fail("no watch event within " + DEADLINE);
        }
        return e;
    }

    /** Fails unless the next node event is {@code expected} (as {@link #format}ted). */
    public void expectNext(String expected) throws InterruptedException {
        assertEquals(expected, format(next()));
    }

    /**
     * @return every node event delivered before a round trip {@code zk} makes now, formatted, in delivery order
     *         (see the class comment); the queue is left empty
     */
    public List<String> drain(ZooKeeper zk) throws Exception {
        roundTrip(zk);
        List<WatchedEvent> taken = new ArrayList<>();
        nodeEvents.drainTo(taken);
        List<String> out = new ArrayList<>();
        taken.forEach(e -> out.add(format(e)));
        return out;
    }

    /** An async request whose callback, run on the event thread, comes after every event received before it. */
    public static void roundTrip(ZooKeeper zk) throws Exception {
        CompletableFuture<Integer> done = new CompletableFuture<>();
        zk.exists("/", false, (rc, path, ctx, stat) -> done.complete(rc), null);
        done.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for the connection state {@code state} to be reported (again, if it was before: states are queued). */
    public void awaitState(Event.KeeperState state) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            Event.KeeperState s = stateQueue.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (s == state) {
                return;
            }
            if (s == null) {
                fail("connection state " + state + " not reported within " + DEADLINE + "; history " + states);
            }
        }
    }

    /** @return every connection state reported so far, in order */
    public List<Event.KeeperState> states() {
        return List.copyOf(states);
    }
}
