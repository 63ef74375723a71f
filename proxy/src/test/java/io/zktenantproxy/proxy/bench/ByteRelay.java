package io.zktenantproxy.proxy.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HAProxy as a plain TCP relay in front of ZooKeeper (Debian's {@code haproxy}, one thread, {@code mode tcp}): it
 * parses nothing, so what it adds to a request is the floor any proxy pays on this machine for the two extra
 * loopback hops and wake-ups. {@link LoadBench} measures it beside the proxy when given {@code --relay haproxy}.
 *
 * <p>HAProxy runs in the foreground ({@code -db}) and without master-worker mode, so the process started here is the
 * one that relays: {@link #pid()} is what {@link Procfs} reads its CPU time and memory from.
 */
final class ByteRelay implements AutoCloseable {
    private final Process process;
    private final int port;

    private ByteRelay(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts HAProxy relaying a free loopback port to {@code upstreamPort}, up to 4 000 connections at once.
     *
     * @throws IOException if {@code haproxy} is not installed or does not listen within 10 s
     */
    static ByteRelay haproxy(int upstreamPort, Path dir) throws IOException, InterruptedException {
        return haproxy(upstreamPort, dir, 4000);
    }

    /**
     * As {@link #haproxy(int, Path)}, with {@code maxConnections} as the global {@code maxconn} (which the listener's
     * limit defaults to): connections beyond it wait in the listen queue, so a sessions-scale run raises it above
     * its session count.
     */
    static ByteRelay haproxy(int upstreamPort, Path dir, int maxConnections) throws IOException, InterruptedException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("haproxy.cfg");
        Files.createDirectories(dir);
        Files.write(cfg, List.of(
                "global",
                "  nbthread 1",
                "  maxconn " + maxConnections,
                "defaults",
                "  mode tcp",
                "  timeout connect 5s",
                "  timeout client 120s",
                "  timeout server 120s",
                "listen zookeeper",
                "  bind 127.0.0.1:" + port,
                "  server zk 127.0.0.1:" + upstreamPort));
        Process p = new ProcessBuilder("haproxy", "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("haproxy exited with " + p.exitValue() + ", see " + dir.resolve("haproxy.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new ByteRelay(p, port);
            } catch (IOException notYet) {
                Thread.sleep(50); // a bench, not a test: polling a starting process
            }
        }
        p.destroyForcibly();
        throw new IOException("haproxy did not listen on " + port + " within 10 s");
    }

    int port() {
        return port;
    }

    /** @return the process id of HAProxy, the relaying process itself ({@code -db}: no fork) */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
