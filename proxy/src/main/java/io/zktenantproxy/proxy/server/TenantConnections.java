package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.zktenantproxy.proxy.metrics.CloseReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Closes client connections from outside their event loops, for reloads: every connection of a tenant at once (its
 * chroot changed, its drain period ended), or all connections a few per second (the upstream moved: each client
 * reconnects and resumes its session through the new servers, and a bounded rate keeps the ensemble from taking
 * every reconnect at once). Each close runs on the connection's own event loop, as every other close does.
 */
final class TenantConnections {
    private TenantConnections() {
    }

    /** @return the open connections of {@code clients} that {@code which} selects */
    static List<Connection> select(ChannelGroup clients, Predicate<Connection> which) {
        List<Connection> selected = new ArrayList<>();
        for (Channel channel : clients) {
            Connection connection = channel.attr(FrontendHandler.CONNECTION).get();
            if (connection != null && which.test(connection)) {
                selected.add(connection);
            }
        }
        return selected;
    }

    /** Closes each of {@code connections} with {@code reason}. */
    static void close(List<Connection> connections, CloseReason reason, String detail) {
        connections.forEach(c -> c.eventLoop().execute(() -> c.close(reason, detail)));
    }

    /**
     * Closes {@code connections}, at most {@code perSecond} a second, starting now.
     *
     * @param timer the loop that paces the closes
     */
    static void closeGradually(List<Connection> connections, int perSecond, EventLoop timer, CloseReason reason,
                               String detail) {
        Deque<Connection> left = new ArrayDeque<>(connections);
        if (left.isEmpty()) {
            return;
        }
        Runnable[] step = new Runnable[1];
        step[0] = () -> {
            for (int i = 0; i < perSecond && !left.isEmpty(); i++) {
                Connection c = left.poll();
                c.eventLoop().execute(() -> c.close(reason, detail));
            }
            if (!left.isEmpty()) {
                timer.schedule(step[0], 1, TimeUnit.SECONDS);
            }
        };
        timer.execute(step[0]);
    }
}
