package io.zktenantproxy.proxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BenchServer} in a JVM of its own, on this JVM's class path unless given another; its standard error goes to
 * a log file. Not thread-safe: one caller sends commands.
 */
final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final List<Integer> ports = new ArrayList<>();

    private ChildProcess(Process process) throws IOException {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String ready = await();
        if (!ready.startsWith("READY ")) {
            throw new IOException("child did not start: " + ready);
        }
        for (String p : ready.substring(6).split(",")) {
            ports.add(Integer.parseInt(p));
        }
    }

    /**
     * A standalone ZooKeeper under {@code dir}; {@code forceSync} as the {@code zookeeper.forceSync} property. It is
     * asked to keep only 50 committed transactions in memory for follower catch-up ({@code zookeeper.commitLogCount},
     * default 500): with 1 MiB setData, 500 of them filled a 2 GiB heap and the server stopped (OutOfMemoryError in
     * SyncThread). ZooKeeper 3.9.5 does not take a value below 500 (it logs "less than the recommended 500, going to
     * use the recommended one"), so it still keeps 500: the 3 GiB heap is what holds them.
     */
    static ChildProcess zooKeeper(Path dir, boolean forceSync, int juteMaxBuffer, Path log, String... jvmArgs)
            throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-Xms512m", "-Xmx3g", "-Dzookeeper.commitLogCount=50",
                "-Dzookeeper.forceSync=" + (forceSync ? "yes" : "no"),
                "-Djute.maxbuffer=" + juteMaxBuffer, "-Dzookeeper.snapSizeLimitInKb=262144",
                "-Dzookeeper.admin.enableServer=false"));
        jvm.addAll(Arrays.asList(jvmArgs));
        return start(jvm, System.getProperty("java.class.path"), List.of("zk", dir.toString()), log);
    }

    /**
     * A ZooKeeper as {@link #zooKeeper} starts it that also serves TLS ({@code secureClientPort}, {@link #port(int)}
     * 1) with {@code tls}'s server certificate; {@code jvmArgs} are added after the TLS options.
     */
    static ChildProcess secureZooKeeper(Path dir, boolean forceSync, int juteMaxBuffer, Path log, BenchTls tls,
                                        String... jvmArgs) throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-Xms512m", "-Xmx3g", "-Dzookeeper.commitLogCount=50",
                "-Dzookeeper.forceSync=" + (forceSync ? "yes" : "no"),
                "-Djute.maxbuffer=" + juteMaxBuffer, "-Dzookeeper.snapSizeLimitInKb=262144",
                "-Dzookeeper.admin.enableServer=false"));
        jvm.addAll(tls.zooKeeperJvmArgs());
        jvm.addAll(Arrays.asList(jvmArgs));
        return start(jvm, System.getProperty("java.class.path"), List.of("zk", dir.toString(), "secure"), log);
    }

    /**
     * The proxy, one loopback listener per tenant (chroot {@code /tenants/NAME}).
     *
     * @param limits the inside of the YAML {@code limits} mapping, e.g. {@code "maxFrameBytes: 4195328"}
     */
    static ChildProcess proxy(String upstream, List<String> tenants, String limits, Path log, List<String> jvmArgs)
            throws IOException {
        return proxy(System.getProperty("java.class.path"), upstream, tenants, limits, log, jvmArgs);
    }

    /**
     * The proxy as {@link #proxy(String, List, String, Path, List)} starts it, but from {@code classPath}: another
     * build of the proxy and of this {@link BenchServer} (e.g. the code before a change, {@code LoadBench
     * --baseline-classpath}), whose commands and replies must be this one's.
     */
    static ChildProcess proxy(String classPath, String upstream, List<String> tenants, String limits, Path log,
                              List<String> jvmArgs) throws IOException {
        return proxy(classPath, upstream, tenants, limits, null, log, jvmArgs);
    }

    /**
     * The proxy as {@link #proxy(String, String, List, String, Path, List)} starts it, with the upstream secret file
     * {@code secretFile} ({@code upstream.secretFile}) unless it is null. A {@link BenchServer} older than that
     * argument ignores it (and runs without identities).
     */
    static ChildProcess proxy(String classPath, String upstream, List<String> tenants, String limits, Path secretFile,
                              Path log, List<String> jvmArgs) throws IOException {
        return proxy(classPath, upstream, tenants, limits, secretFile, null, null, log, jvmArgs);
    }

    /**
     * The proxy as {@link #proxy(String, String, List, String, Path, Path, List)} starts it, with TLS listeners and TLS
     * to {@code upstream} (ZooKeeper's secure port, by a name its certificate has) if {@code tls} is not null, with
     * the TLS implementation {@code provider} ({@code openssl} or {@code jdk}, the YAML {@code tls.provider}).
     */
    static ChildProcess proxy(String classPath, String upstream, List<String> tenants, String limits, Path secretFile,
                              BenchTls tls, String provider, Path log, List<String> jvmArgs) throws IOException {
        List<String> jvm = new ArrayList<>(List.of("-Xms256m", "-Xmx1g"));
        jvm.addAll(jvmArgs);
        List<String> args = new ArrayList<>(List.of("proxy", upstream, String.join(",", tenants), limits));
        if (secretFile != null || tls != null) {
            args.add(secretFile == null ? "-" : secretFile.toString());
        }
        if (tls != null) {
            args.add(tls.dir().toString());
            args.add(provider);
        }
        return start(jvm, classPath, args, log);
    }

    private static ChildProcess start(List<String> jvmArgs, String classPath, List<String> args, Path log)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(BenchServer.class.getName());
        command.addAll(args);
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        return new ChildProcess(p);
    }

    int port() {
        return ports.get(0);
    }

    int port(int index) {
        return ports.get(index);
    }

    long pid() {
        return process.pid();
    }

    /**
     * Kills the child with SIGKILL ({@code kill -9}: {@link Process#destroyForcibly()} on Linux), as a crashed or
     * OOM-killed replica dies: no shutdown hook runs, its sockets are closed by the kernel.
     *
     * @return {@link System#nanoTime()} just before the signal was sent
     */
    long kill() throws InterruptedException {
        long at = System.nanoTime();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return at;
    }

    /** Sends {@code command} and returns the reply without its prefix. */
    String command(String command) throws IOException {
        in.write(command + "\n");
        in.flush();
        return await();
    }

    /** @return {allocated bytes, event-loop CPU ns, process CPU ns, event-loop wake-ups} (proxy only) */
    long[] threads() throws IOException {
        String[] f = command("threads").split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])};
    }

    /** @return {heap used after full GC, RSS, threads} */
    long[] heap() throws IOException {
        String[] f = command("heap").split(" ");
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
    }

    private String await() throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(BenchServer.PREFIX)) {
                return line.substring(BenchServer.PREFIX.length());
            }
        }
        throw new IOException("child exited with " + waitExit());
    }

    private int waitExit() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            command("quit");
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
