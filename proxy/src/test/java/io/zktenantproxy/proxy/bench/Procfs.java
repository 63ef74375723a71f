package io.zktenantproxy.proxy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What Linux's {@code /proc} tells about another process, read from outside it: CPU time ({@code /proc/PID/stat}),
 * resident memory ({@code /proc/PID/status}) and the TCP sockets held open on a port ({@code /proc/net/tcp}).
 * Reading from outside is what lets the benchmarks measure a JVM and HAProxy the same way: nothing runs inside the
 * measured process to ask.
 */
final class Procfs {
    /** TCP states ({@code include/net/tcp_states.h}) in which the owning process still holds the socket open. */
    private static final String ESTABLISHED = "01";
    private static final String CLOSE_WAIT = "08";
    private static volatile long clockTicks;

    private Procfs() {
    }

    /**
     * The kernel's clock ticks per second, the unit of {@link #cpuTicks}: {@code getconf CLK_TCK}, asked once (the
     * JDK has no API for {@code sysconf(_SC_CLK_TCK)}); 100 if getconf cannot be run, the value on every common
     * Linux build.
     */
    static long clockTicksPerSecond() {
        if (clockTicks == 0) {
            long ticks = 100;
            try {
                Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (p.waitFor() == 0 && out.matches("[0-9]+")) {
                    ticks = Long.parseLong(out);
                }
            } catch (IOException e) {
                // keep the usual value
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicks = ticks;
        }
        return clockTicks;
    }

    /**
     * The user plus system CPU time of {@code pid} so far, in clock ticks: fields 14 and 15 of {@code /proc/PID/stat}.
     * The fields are counted after the command name, which is in parentheses and may itself hold spaces.
     */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        // after ") " comes field 3 (state): utime, field 14, is index 11 from there
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** @return {@code VmRSS} of {@code pid} in bytes ({@code /proc/PID/status}) */
    static long rssBytes(long pid) throws IOException {
        return status(pid, "VmRSS") * 1024;
    }

    /** @return the threads of {@code pid}, all of them (a JVM's GC and compiler threads too) */
    static long threads(long pid) throws IOException {
        return status(pid, "Threads");
    }

    /** The number in the line {@code NAME:} of {@code /proc/PID/status} (kB for the memory lines). */
    private static long status(long pid, String name) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (l.startsWith(name + ":")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no " + name + " in /proc/" + pid + "/status");
    }

    /**
     * The TCP sockets on loopback whose local port is {@code port} and which a process still holds open: established,
     * or closed by the peer but not yet by the process ({@code CLOSE_WAIT}). The listening socket is not counted. A
     * socket the process has closed leaves this count at once, whatever the kernel still does with it (FIN_WAIT,
     * TIME_WAIT): so the count says what the server process has seen, for IPv4 and IPv6 alike.
     */
    static int heldSockets(int port) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
        Path tcp6 = Path.of("/proc/net/tcp6");
        if (Files.exists(tcp6)) {
            lines.addAll(Files.readAllLines(tcp6));
        }
        int held = 0;
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[1].contains(":") || f[0].equals("sl")) {
                continue;
            }
            int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
            if (local == port && (f[3].equals(ESTABLISHED) || f[3].equals(CLOSE_WAIT))) {
                held++;
            }
        }
        return held;
    }
}
