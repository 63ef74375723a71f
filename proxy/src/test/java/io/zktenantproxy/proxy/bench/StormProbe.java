package io.zktenantproxy.proxy.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One look at everything a reconnect storm moves, cheap enough to take twice a second: per surviving replica its
 * tenant's meters ({@link BenchServer} {@code scrape}: open connections, established sessions, listener pauses of
 * the accept budget, closes by reason) and the length of its listener's accept queue (the kernel's, from
 * {@code /proc/net/tcp}: where connections wait while the accept budget pauses the listener); the kernel's count of
 * connections dropped because an accept queue was full ({@code ListenOverflows}, {@code ListenDrops} of
 * {@code /proc/net/netstat}, the whole machine); and the ensemble's {@code mntr} four-letter word. Not thread-safe.
 */
final class StormProbe {
    private final List<ChildProcess> replicas;
    private final List<Integer> listenerPorts;
    private final String tenant;
    private final int zooKeeperPort;

    /**
     * @param replicas      the replicas to scrape
     * @param listenerPorts the port of {@code tenant}'s listener on each of them, same order
     * @param zooKeeperPort the ensemble's client port on the loopback address ({@code mntr} must be allowed)
     */
    StormProbe(List<ChildProcess> replicas, List<Integer> listenerPorts, String tenant, int zooKeeperPort) {
        this.replicas = List.copyOf(replicas);
        this.listenerPorts = List.copyOf(listenerPorts);
        this.tenant = tenant;
        this.zooKeeperPort = zooKeeperPort;
    }

    /**
     * One sample.
     *
     * @param meters      per replica, its meters of the tenant by Prometheus name (and {@code reason} for closes,
     *                    e.g. {@code zktp_connections_closed_total/handshake_timeout}), values as scraped
     * @param acceptQueue per replica, connections waiting in its listener's accept queue
     * @param listenOverflows the machine's {@code TcpExtListenOverflows} so far
     * @param listenDrops the machine's {@code TcpExtListenDrops} so far
     * @param mntr        the ensemble's {@code mntr} answer, key to value; empty if it did not answer
     */
    record Sample(long atNanos, List<Map<String, Double>> meters, int[] acceptQueue, long listenOverflows,
                  long listenDrops, Map<String, String> mntr) {
        double meter(int replica, String name) {
            return meters.get(replica).getOrDefault(name, 0.0);
        }

        long zk(String key) {
            String v = mntr.get(key);
            return v == null ? -1 : (long) Double.parseDouble(v);
        }
    }

    Sample sample() throws IOException {
        long at = System.nanoTime();
        List<Map<String, Double>> meters = new java.util.ArrayList<>();
        for (ChildProcess r : replicas) {
            meters.add(tenantMeters(r.command("scrape")));
        }
        int[] queues = new int[listenerPorts.size()];
        Map<Integer, Integer> listening = acceptQueues();
        for (int i = 0; i < queues.length; i++) {
            queues[i] = listening.getOrDefault(listenerPorts.get(i), -1);
        }
        Map<String, Long> netstat = tcpExt();
        return new Sample(at, meters, queues, netstat.getOrDefault("ListenOverflows", 0L),
                netstat.getOrDefault("ListenDrops", 0L), mntr());
    }

    /** Parses {@code SCRAPE\tline\tline...}, keeping the lines of {@link #tenant} and of its listener. */
    private Map<String, Double> tenantMeters(String scrape) {
        Map<String, Double> out = new HashMap<>();
        String label = "tenant=\"" + tenant + "\"";
        String listener = "listener=\"" + tenant + "\"";
        for (String line : scrape.split("\t")) {
            int brace = line.indexOf('{');
            if (brace < 0 || !(line.contains(label) || line.contains(listener))) {
                continue;
            }
            String name = line.substring(0, brace);
            int reason = line.indexOf("reason=\"");
            if (reason >= 0) {
                name += "/" + line.substring(reason + 8, line.indexOf('"', reason + 8));
            }
            out.put(name, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
        }
        return out;
    }

    /**
     * Listening sockets by local port and their accept queue: in {@code /proc/net/tcp} and {@code tcp6} (Netty's
     * epoll transport listens on a dual-stack IPv6 socket) a listening socket (state {@code 0A}) shows its accept
     * queue's length as {@code rx_queue}.
     */
    private static Map<Integer, Integer> acceptQueues() throws IOException {
        Map<Integer, Integer> out = new HashMap<>();
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
        Path tcp6 = Path.of("/proc/net/tcp6");
        if (Files.exists(tcp6)) {
            lines.addAll(Files.readAllLines(tcp6));
        }
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 5 || !f[3].equals("0A")) {
                continue;
            }
            int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
            int rx = Integer.parseInt(f[4].substring(f[4].indexOf(':') + 1), 16);
            out.put(port, rx);
        }
        return out;
    }

    /** The {@code TcpExt} counters of {@code /proc/net/netstat} (a header line of names, then one of values). */
    private static Map<String, Long> tcpExt() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
        Map<String, Long> out = new HashMap<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                String[] names = lines.get(i).split("\\s+");
                String[] values = lines.get(i + 1).split("\\s+");
                for (int k = 1; k < names.length && k < values.length; k++) {
                    out.put(names[k], Long.parseLong(values[k]));
                }
                break;
            }
        }
        return out;
    }

    /** The ensemble's {@code mntr}: one {@code key\tvalue} a line; empty when it does not answer in 2 s. */
    private Map<String, String> mntr() {
        Map<String, String> out = new HashMap<>();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), zooKeeperPort)) {
            s.setSoTimeout(2_000);
            OutputStream o = s.getOutputStream();
            o.write("mntr".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    out.put(line.substring(0, tab).toLowerCase(Locale.ROOT), line.substring(tab + 1).trim());
                }
            }
        } catch (IOException e) {
            // a busy ensemble that does not answer in time: the sample says so by having no figures
        }
        return out;
    }
}
