package io.zktenantproxy.proxy.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.apache.zookeeper.ZooKeeper;

/**
 * Issue 5's benchmark: well-behaved sessions keep their latency while other connections misbehave. Well-behaved
 * sessions (tenant {@code good}) each send getData of a 128 B znode at a fixed rate; in alternate phases the
 * misbehaving connections (tenant {@code noisy}) run as well, and the well-behaved latency and throughput are
 * compared with the phases without them (medians over rounds, ratio with/without).
 *
 * <p>Kinds of misbehaviour: {@code garbage} connects, sends 64 random bytes (a random length word, or a plausible one
 * followed by junk), and reconnects 10 ms after the proxy closes it; {@code silent} connects and sends nothing
 * (closed by the handshake timeout, then reconnects); {@code flood} opens a session and keeps as many getData
 * requests outstanding as the proxy lets it ({@code maxInFlight}), reading the replies. Variant {@code mixed} runs a
 * third of each.
 *
 * <pre>
 * --good 200 --bad 50 --rate 20 (requests/s per good session) --seconds 10 --rounds 3
 * --variants garbage,silent,flood,mixed --flood-inflight 1000 --limits 'maxInFlight: 1000' --sync no
 * </pre>
 */
public final class MisbehavingBench {
    private MisbehavingBench() {
    }

    enum Kind { GARBAGE, SILENT, FLOOD }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        int good = args.getInt("good", 200);
        int bad = args.getInt("bad", 50);
        int rate = args.getInt("rate", 20);
        int seconds = args.getInt("seconds", 10);
        int rounds = args.getInt("rounds", 3);
        int floodInFlight = args.getInt("flood-inflight", 1000);
        String limits = args.get("limits", "maxInFlight: 1000");
        List<String> variants = List.of(args.get("variants", "garbage,silent,flood,mixed").split(","));
        boolean forceSync = args.get("sync", "no").equals("yes");
        Path work = Files.createTempDirectory("zktp-misbehaving");
        Path logs = Path.of(args.get("logs", "target/bench-logs")).toAbsolutePath();
        String loadBefore = BenchArgs.loadAverage();
        LoadBench.log("load average before: " + loadBefore + "; " + good + " good sessions at " + rate + "/s each, "
                + bad + " misbehaving; proxy limits {" + limits + "}");
        EventLoopGroup goodGroup = RawSession.group(1, "good");
        EventLoopGroup badGroup = RawSession.group(1, "noisy");
        StringBuilder table = new StringBuilder();
        table.append("| misbehaving | good ops/s without / with | good p50 without / with | p99 without / with | "
                + "p99.9 without / with | p99 ratio | misbehaviour achieved |\n|---|---:|---:|---:|---:|---:|---|\n");
        try (ChildProcess zk = ChildProcess.zooKeeper(work.resolve("zk"), forceSync, 1024 * 1024,
                logs.resolve("misbehaving-zk.log"));
             ChildProcess proxy = ChildProcess.proxy("127.0.0.1:" + zk.port(), List.of("good", "noisy"), limits,
                     logs.resolve("misbehaving-proxy.log"), List.of())) {
            ZooKeeper admin = LoadBench.connect("127.0.0.1:" + zk.port());
            for (String p : List.of("/tenants", "/tenants/good", "/tenants/noisy", "/tenants/good/n",
                    "/tenants/noisy/n")) {
                LoadBench.ensure(admin, p);
            }
            admin.setData("/tenants/good/n", new byte[128], -1);
            admin.setData("/tenants/noisy/n", new byte[128], -1);
            admin.close();
            Good goodLoad = new Good(goodGroup, proxy.port(0), good, rate);
            Thread.sleep(3_000); // warm-up
            for (String variant : variants) {
                List<Double> opsWithout = new ArrayList<>();
                List<Double> opsWith = new ArrayList<>();
                List<List<Double>> without = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                List<List<Double>> with = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                String achieved = "";
                for (int r = 0; r < rounds; r++) {
                    for (int phase = 0; phase < 2; phase++) {
                        boolean withBad = (phase == 0) == (r % 2 == 1);
                        Bad badLoad = withBad
                                ? new Bad(badGroup, proxy.port(1), kinds(variant, bad), floodInFlight) : null;
                        Thread.sleep(500);
                        Histogram h = goodLoad.swap();
                        long replies0 = goodLoad.replies.get();
                        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                        h = goodLoad.swap();
                        double ops = (goodLoad.replies.get() - replies0) / (double) seconds;
                        List<List<Double>> into = withBad ? with : without;
                        into.get(0).add(h.getValueAtPercentile(50) / 1000.0);
                        into.get(1).add(h.getValueAtPercentile(99) / 1000.0);
                        into.get(2).add(h.getValueAtPercentile(99.9) / 1000.0);
                        (withBad ? opsWith : opsWithout).add(ops);
                        String line = String.format("%s round %d %s: good %.0f ops/s p50 %.0f µs p99 %.0f µs "
                                        + "p99.9 %.0f µs", variant, r, withBad ? "with" : "without", ops,
                                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                                h.getValueAtPercentile(99.9) / 1000.0);
                        if (badLoad != null) {
                            achieved = badLoad.stop(seconds + 0.5);
                            line += "; " + achieved;
                        }
                        LoadBench.log(line);
                        Thread.sleep(1_000);
                    }
                }
                double p99Without = BenchArgs.median(without.get(1));
                double p99With = BenchArgs.median(with.get(1));
                table.append(String.format("| %s (%d) | %s / %s | %s / %s | %s / %s | %s / %s | %.2f | %s |%n",
                        variant, bad, BenchArgs.fmt(BenchArgs.median(opsWithout)),
                        BenchArgs.fmt(BenchArgs.median(opsWith)), BenchArgs.fmt(BenchArgs.median(without.get(0))),
                        BenchArgs.fmt(BenchArgs.median(with.get(0))), BenchArgs.fmt(p99Without),
                        BenchArgs.fmt(p99With), BenchArgs.fmt(BenchArgs.median(without.get(2))),
                        BenchArgs.fmt(BenchArgs.median(with.get(2))), p99With / p99Without, achieved));
            }
            goodLoad.close();
        } finally {
            goodGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            badGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            LoadBench.deleteTree(work);
        }
        System.out.println();
        System.out.println("Latency in µs, medians of " + rounds + " rounds of " + seconds + " s.");
        System.out.println();
        System.out.print(table);
        System.out.println("Load average (1/5/15 min) before: " + loadBefore + ", after: " + BenchArgs.loadAverage());
        System.exit(0);
    }

    private static List<Kind> kinds(String variant, int count) {
        List<Kind> kinds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            kinds.add(switch (variant) {
                case "garbage" -> Kind.GARBAGE;
                case "silent" -> Kind.SILENT;
                case "flood" -> Kind.FLOOD;
                case "mixed" -> Kind.values()[i % 3];
                default -> throw new IllegalArgumentException("variant " + variant);
            });
        }
        return kinds;
    }

    /** The well-behaved sessions, all on one event loop thread, which alone touches the histogram. */
    private static final class Good {
        private final EventLoopGroup group;
        private final List<RawSession> sessions = new ArrayList<>();
        private final AtomicLong replies = new AtomicLong();
        private Histogram histogram = LoadBench.newHistogram();

        Good(EventLoopGroup group, int port, int count, int rate) throws Exception {
            this.group = group;
            Bootstrap bootstrap = RawSession.bootstrap(group);
            ConcurrentLinkedQueue<RawSession> open = new ConcurrentLinkedQueue<>();
            int failed = SessionsScale.open(bootstrap, port, count, 100, 30_000, open);
            if (failed > 0) {
                throw new IllegalStateException(failed + " good sessions did not connect");
            }
            long periodMicros = 1_000_000L / rate;
            for (RawSession s : open) {
                sessions.add(s);
                s.onReply(latency -> {
                    histogram.recordValue(latency);
                    replies.incrementAndGet();
                });
                s.channel().eventLoop().scheduleAtFixedRate(() -> s.getData("/n"),
                        ThreadLocalRandom.current().nextLong(periodMicros), periodMicros, TimeUnit.MICROSECONDS);
            }
        }

        /** @return the histogram so far, replaced by a new one (on the event loop) */
        Histogram swap() throws Exception {
            return group.next().submit(() -> {
                Histogram h = histogram;
                histogram = LoadBench.newHistogram();
                return h;
            }).get();
        }

        void close() {
            sessions.forEach(RawSession::close);
        }
    }

    /** The misbehaving connections of one phase; each reconnects when closed until {@link #stop}. */
    private static final class Bad {
        private final Bootstrap bootstrap;
        private final int port;
        private final int floodInFlight;
        private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
        private final AtomicLong connections = new AtomicLong();
        private final AtomicLong floodReplies = new AtomicLong();
        private volatile boolean running = true;

        Bad(EventLoopGroup group, int port, List<Kind> kinds, int floodInFlight) {
            this.bootstrap = RawSession.bootstrap(group);
            this.port = port;
            this.floodInFlight = floodInFlight;
            kinds.forEach(this::start);
        }

        private void start(Kind kind) {
            if (!running) {
                return;
            }
            connections.incrementAndGet();
            if (kind == Kind.FLOOD) {
                RawSession.open(bootstrap, "127.0.0.1", port, 30_000).whenComplete((s, e) -> {
                    if (e != null) {
                        reconnect(kind, bootstrap.config().group());
                        return;
                    }
                    channels.add(s.channel());
                    s.onReply(latency -> {
                        floodReplies.incrementAndGet();
                        if (running) {
                            s.getData("/n");
                        }
                    });
                    s.channel().eventLoop().execute(() -> {
                        for (int i = 0; i < floodInFlight; i++) {
                            s.getData("/n");
                        }
                    });
                    s.closed().thenRun(() -> reconnect(kind, bootstrap.config().group()));
                });
                return;
            }
            bootstrap.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            channels.add(ctx.channel());
                            if (kind == Kind.GARBAGE) {
                                ByteBuf junk = ctx.alloc().buffer(64);
                                ThreadLocalRandom random = ThreadLocalRandom.current();
                                junk.writeInt(random.nextBoolean() ? random.nextInt() : 60);
                                for (int i = 0; i < 15; i++) {
                                    junk.writeInt(random.nextInt());
                                }
                                ctx.writeAndFlush(junk);
                            }
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            io.netty.util.ReferenceCountUtil.release(msg);
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            channels.remove(ctx.channel());
                            reconnect(kind, ctx.channel().eventLoop());
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            ctx.close();
                        }
                    });
                }
            }).connect("127.0.0.1", port).addListener(f -> {
                if (!f.isSuccess()) {
                    reconnect(kind, bootstrap.config().group());
                }
            });
        }

        private void reconnect(Kind kind, java.util.concurrent.ScheduledExecutorService executor) {
            if (running) {
                executor.schedule(() -> start(kind), 10, TimeUnit.MILLISECONDS);
            }
        }

        /** Stops reconnecting, closes everything, and says what was achieved over {@code seconds}. */
        String stop(double seconds) throws InterruptedException {
            running = false;
            channels.forEach(Channel::close);
            Thread.sleep(300);
            return String.format("%.0f connections/s opened, %.0f flood replies/s", connections.get() / seconds,
                    floodReplies.get() / seconds);
        }
    }
}
