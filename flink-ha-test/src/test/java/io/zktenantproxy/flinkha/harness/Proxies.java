package io.zktenantproxy.flinkha.harness;

import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.TlsConfig;
import io.zktenantproxy.proxy.server.ProxyServer;
import io.zktenantproxy.proxy.server.Tenant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starts proxy instances in the test's JVM and picks the ports they listen on. */
public final class Proxies {
    /** One sample of {@code zktp_connections_closed_total} in the Prometheus text: its labels and its value. */
    private static final Pattern CLOSED = Pattern.compile("zktp_connections_closed_total\\{([^}]*)\\} (\\S+)");
    private static final Pattern REASON = Pattern.compile("reason=\"([^\"]*)\"");

    private Proxies() {
    }

    /**
     * A tenant listening on {@code port} of the loopback address.
     *
     * @param advertised what the proxy answers for {@code /zookeeper/config}: the addresses of every proxy instance
     *                   serving the tenant, so Flink's ensemble tracker only ever learns proxy addresses
     */
    public static TenantConfig tenant(String name, int port, List<InetSocketAddress> advertised) {
        return TenantConfig.named(name).withListen("127.0.0.1:" + port)
                .withAdvertised(advertised.stream().map(a -> a.getHostString() + ":" + a.getPort()).toList());
    }

    /**
     * A tenant on a loopback port fixed in advance (to restart the proxy on the same address), advertising that
     * address: Curator's ensemble tracker, on by default in Flink, then reads this proxy's address, and only it, from
     * {@code /zookeeper/config}.
     */
    public static TenantConfig fixedTenant(String name, InetSocketAddress address) {
        return tenant(name, address.getPort(), List.of(address));
    }

    /**
     * Starts one proxy instance for {@code tenants} in front of {@code upstream}, with the JVM's upstream secret
     * ({@link UpstreamSecretFile}): every instance of the JVM shares it, so replicas derive the same identities.
     */
    public static ProxyServer start(String upstream, List<TenantConfig> tenants) {
        return ProxyServer.start(config(upstream, tenants));
    }

    /**
     * @return the configuration {@link #start(String, List)} runs: kept by a test that reloads the proxy, so that
     *     what it leaves alone (the upstream secret above all, which only a restart may change) stays equal
     */
    public static ProxyConfig config(String upstream, List<TenantConfig> tenants) {
        return ProxyConfig.forUpstream(upstream).withTenants(tenants)
                .withSecretFile(UpstreamSecretFile.path().toString());
    }

    /**
     * Starts one proxy instance as {@link #start(String, List)} does, its tenant listeners speaking TLS as {@code tls}
     * says (mutual TLS with a client CA); the proxy still talks plain TCP to {@code upstream}.
     */
    public static ProxyServer start(String upstream, List<TenantConfig> tenants, TlsConfig tls) {
        return ProxyServer.start(ProxyConfig.forUpstream(upstream).withTenants(tenants).withTls(tls)
                .withSecretFile(UpstreamSecretFile.path().toString()));
    }

    /**
     * Starts one proxy instance as before the upstream secret existed: its tenants act upstream without identities
     * of their own, so what they create carries the ACLs their clients set, {@code world:anyone} for Flink. Only for
     * the tree {@code migrate-acls} is to migrate; the ensemble's other proxies keep using {@link #start}.
     */
    public static ProxyServer startWithoutSecret(String upstream, List<TenantConfig> tenants) {
        return ProxyServer.start(ProxyConfig.forUpstream(upstream).withTenants(tenants));
    }

    /** @return the chroot the proxy gives {@code tenant} upstream */
    public static String chroot(ProxyServer proxy, String tenant) {
        return find(proxy, tenant).chroot().root();
    }

    /** @return the tenant's open client connections on {@code proxy} */
    public static int connections(ProxyServer proxy, String tenant) {
        return find(proxy, tenant).meters().connections();
    }

    /**
     * @return the tenant's client connections on {@code proxy} whose session the ensemble has established or
     *     resumed ({@code zktp_sessions_active}): counted when the proxy relays the handshake's answer, so later than
     *     {@link #connections}, which counts the accepted socket
     */
    public static int sessions(ProxyServer proxy, String tenant) {
        return find(proxy, tenant).meters().sessions();
    }

    /**
     * @return {@code tenant}'s {@code zktp_connections_closed_total} by reason, as the proxy's Prometheus endpoint
     *     shows it (what an operator's alert would read); reasons never counted are absent
     */
    public static Map<String, Double> connectionsClosed(ProxyServer proxy, String tenant) {
        Map<String, Double> byReason = new TreeMap<>();
        for (String line : proxy.metrics().scrape().split("\n")) {
            Matcher m = CLOSED.matcher(line);
            if (m.matches() && m.group(1).contains("tenant=\"" + tenant + "\"")) {
                Matcher reason = REASON.matcher(m.group(1));
                byReason.put(reason.find() ? reason.group(1) : "", Double.parseDouble(m.group(2)));
            }
        }
        return byReason;
    }

    private static Tenant find(ProxyServer proxy, String tenant) {
        return proxy.tenants().stream().filter(t -> t.name().equals(tenant)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no tenant " + tenant));
    }

    /**
     * @return a loopback address with a port free right now. Needed where the address must be known before the
     *     proxy starts (advertised to Flink, or re-bound after a restart); the small race with other processes is
     *     acceptable in tests.
     */
    public static InetSocketAddress freeAddress() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
