package io.zktenantproxy.proxy.config;

import io.zktenantproxy.protocol.TenantChroot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link ProxyConfig} before anything starts and returns one message per problem: a tenant without a name
 * or listen address, duplicate tenants or ports, a chroot that is not an absolute ZooKeeper path, chroots that
 * overlap (one is the other or lies under it: their trees would mix), addresses that are not {@code host:port}.
 * Reachability of the upstream is not checked here: the proxy warns and keeps retrying at run time.
 */
public final class ConfigValidator {
    /** Room for a short path and one ACL entry: below it a tenant could create next to nothing. */
    static final int MIN_BYTES_PER_ZNODE = 128;
    /** The largest budget per second: Bucket4j refills at most one token a nanosecond. */
    static final int MAX_BUDGET_PER_SECOND = 1_000_000_000;
    /** What metrics and logs call the shared TLS listener ({@code ServerTls.SHARED}). */
    public static final String SHARED_LISTENER = "shared";
    private static final Pattern TENANT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

    private ConfigValidator() {
    }

    /** @return the problems found, empty when the configuration is valid */
    public static List<String> validate(ProxyConfig config) {
        List<String> errors = new ArrayList<>();
        if (config.connectString() != null) {
            upstream(config.connectString(), errors);
        }
        config.advertised().forEach(a -> address("advertised", a, errors));
        limits(config.limits(), errors);
        if (config.tenants().isEmpty()) {
            errors.add("tenants: at least one tenant is required");
        }
        Set<String> names = new HashSet<>();
        Map<Integer, String> ports = new HashMap<>();
        List<String[]> chroots = new ArrayList<>();
        for (int i = 0; i < config.tenants().size(); i++) {
            TenantConfig t = config.tenants().get(i);
            String at = "tenants[" + i + "]";
            if (t.name() == null || !TENANT_NAME.matcher(t.name()).matches()) {
                errors.add(at + ".name: '" + t.name() + "' (expected: " + TENANT_NAME.pattern() + ")");
            } else if (sharedTlsListener(config) && t.name().equals(SHARED_LISTENER)) {
                errors.add(at + ".name: '" + SHARED_LISTENER + "' names the shared TLS listener (tls.listen) in "
                        + "metrics and logs; give the tenant another name");
            } else if (!names.add(t.name())) {
                errors.add(at + ".name: duplicate tenant '" + t.name() + "'");
            }
            HostPort listen = t.listen() == null && sharedTlsListener(config) ? null
                    : address(at + ".listen", t.listen(), errors);
            if (listen != null && listen.port() != 0) {
                String previous = ports.putIfAbsent(listen.port(), t.name());
                if (previous != null) {
                    errors.add(at + ".listen: port " + listen.port() + " is already tenant '" + previous + "''s");
                }
            }
            t.advertised().forEach(a -> address(at + ".advertised", a, errors));
            if (Boolean.TRUE.equals(t.tls()) && config.tls() == null) {
                errors.add(at + ".tls: true needs the proxy's tls (certificate and key)");
            }
            for (String identity : t.clientIdentities()) {
                try {
                    CertificateIdentityRule.Identity.parse(identity);
                } catch (IllegalArgumentException e) {
                    errors.add(at + ".clientIdentities: " + e.getMessage());
                }
            }
            if (t.requestsPerSecond() != null) {
                budget(at + ".requestsPerSecond", t.requestsPerSecond(), errors);
            }
            if (t.bytesPerSecond() != null) {
                budget(at + ".bytesPerSecond", t.bytesPerSecond(), errors);
            }
            quota(at + ".quotaZnodes", t.quotaZnodes(), errors);
            quota(at + ".quotaBytes", t.quotaBytes(), errors);
            quota(at + ".maxWatchesPerSession", t.maxWatchesPerSession() == null ? null
                    : t.maxWatchesPerSession().longValue(), errors);
            try {
                new TenantChroot(t.chroot());
                chroots.add(new String[] {t.chroot(), t.name()});
            } catch (IllegalArgumentException e) {
                errors.add(at + ".chroot: " + e.getMessage());
            }
        }
        for (int i = 0; i < chroots.size(); i++) {
            for (int j = i + 1; j < chroots.size(); j++) {
                String a = chroots.get(i)[0];
                String b = chroots.get(j)[0];
                if (a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/")) {
                    errors.add("chroots overlap: '" + a + "' (tenant " + chroots.get(i)[1] + ") and '" + b
                            + "' (tenant " + chroots.get(j)[1] + ")");
                }
            }
        }
        if (config.operator() != null && (blank(config.operator().user()) || blank(config.operator().password())
                || config.operator().user().contains(":"))) {
            errors.add("operator: needs a user (without ':') and a password");
        }
        if (config.tls() != null) {
            tls(config.tls(), ports, errors);
        }
        if (config.upstream().tls() != null) {
            upstreamTls(config.upstream(), errors);
        }
        if (config.upstream().version() != null) {
            try {
                var release = io.zktenantproxy.protocol.EnsembleVersion.parse(config.upstream().version());
                if (!release.supported()) {
                    errors.add("upstream.version: " + release + " is not supported: the proxy needs a ZooKeeper "
                            + io.zktenantproxy.protocol.EnsembleVersion.OLDEST_SUPPORTED + " ensemble or later");
                }
            } catch (IllegalArgumentException e) {
                errors.add("upstream.version: " + e.getMessage());
            }
        }
        if (config.upstream().versionCheckMs() != null && config.upstream().versionCheckMs() < 0) {
            errors.add("upstream.versionCheckMs: must be 0 (never) or a period in milliseconds");
        }
        if (config.admin() != null && config.admin().token() != null && config.admin().tokenFile() != null) {
            errors.add("admin: token and tokenFile both set (expected: one of them)");
        }
        if (config.admin() != null && config.admin().listen() != null) {
            HostPort admin = address("admin.listen", config.admin().listen(), errors);
            if (admin != null && admin.port() != 0 && ports.containsKey(admin.port())) {
                errors.add("admin.listen: port " + admin.port() + " is already tenant '" + ports.get(admin.port())
                        + "''s");
            }
        }
        flink(config.flink(), errors);
        String transport = config.server().transport();
        if (transport != null && !ServerConfig.TRANSPORTS.contains(transport)) {
            errors.add("server.transport: '" + transport + "' (expected one of "
                    + String.join(", ", ServerConfig.TRANSPORTS) + ")");
        }
        return errors;
    }

    /** The Flink scan: an interval of 0 (off) or at least the minimum, series bounds, roots that are tenant paths. */
    private static void flink(FlinkConfig flink, List<String> errors) {
        if (flink.scanIntervalMs() != 0 && flink.scanIntervalMs() < FlinkConfig.MIN_SCAN_INTERVAL_MS) {
            errors.add("flink.scanIntervalMs: " + flink.scanIntervalMs() + " (expected: 0 for no scan, or >= "
                    + FlinkConfig.MIN_SCAN_INTERVAL_MS + ")");
        }
        for (String field : List.of("maxClusters", "maxJobs")) {
            int value = field.equals("maxClusters") ? flink.maxClusters() : flink.maxJobs();
            if (value < 1 || value > FlinkConfig.MAX_SERIES_BOUND) {
                errors.add("flink." + field + ": " + value + " (expected: 1.." + FlinkConfig.MAX_SERIES_BOUND + ")");
            }
        }
        positive("flink.maxNodes", flink.maxNodes(), errors);
        positive("flink.scanTimeoutMs", flink.scanTimeoutMs(), errors);
        if (flink.orphanAfterMs() < 0) {
            errors.add("flink.orphanAfterMs: " + flink.orphanAfterMs() + " (expected: >= 0)");
        }
        if (flink.roots().isEmpty() && !flink.discover()) {
            errors.add("flink.roots: empty and discover false (expected: a root, or discover: true)");
        }
        for (String root : flink.roots()) {
            try {
                // a root is a path in the tenant's tree: valid exactly when it can follow a chroot
                new TenantChroot("/t").prepend(root);
            } catch (IllegalArgumentException | NullPointerException e) {
                errors.add("flink.roots: '" + root + "': " + e.getMessage());
            }
        }
    }

    private static boolean sharedTlsListener(ProxyConfig config) {
        return config.tls() != null && config.tls().listen() != null;
    }

    /** The files themselves are checked when they are loaded, at start-up and by check-config. */
    private static void tls(TlsConfig tls, Map<Integer, String> ports, List<String> errors) {
        if (blank(tls.cert())) {
            errors.add("tls.cert: missing (a PEM certificate chain with tls.key, or a PKCS12 file)");
        }
        if (!Set.of("auto", "openssl", "jdk").contains(tls.provider())) {
            errors.add("tls.provider: '" + tls.provider() + "' (expected: auto, openssl or jdk)");
        }
        positive("tls.handshakeTimeoutMs", tls.handshakeTimeoutMs(), errors);
        positive("tls.reloadCheckMs", tls.reloadCheckMs(), errors);
        for (String protocol : tls.protocols()) {
            if (!protocol.equals("TLSv1.3") && !protocol.equals("TLSv1.2")) {
                errors.add("tls.protocols: '" + protocol + "' (expected: TLSv1.3, TLSv1.2)");
            }
        }
        try {
            CertificateIdentityRule.parse(tls.clientIdentity());
        } catch (IllegalArgumentException e) {
            errors.add("tls.clientIdentity: " + e.getMessage());
        }
        if (tls.listen() != null) {
            HostPort shared = address("tls.listen", tls.listen(), errors);
            if (tls.clientCa() == null) {
                errors.add("tls.listen: the shared TLS listener tells tenants apart by their client certificates, so "
                        + "it needs tls.clientCa");
            }
            if (shared != null && shared.port() != 0 && ports.containsKey(shared.port())) {
                errors.add("tls.listen: port " + shared.port() + " is already tenant '" + ports.get(shared.port())
                        + "''s");
            }
        }
    }

    private static void upstreamTls(UpstreamConfig upstream, List<String> errors) {
        UpstreamTlsConfig tls = upstream.tls();
        if (tls.key() != null && tls.cert() == null) {
            errors.add("upstream.tls.key: given without upstream.tls.cert");
        }
        if (tls.cert() != null && upstream.secretFile() == null) {
            // ZooKeeper gives every session on a connection with a client certificate the id x509:<subject DN>, and
            // an 'auth' ACL grants every id of the session: without tenant identities, whose ACL rewriting keeps
            // x509 out of every list, a tenant could grant its znodes to every other tenant's sessions.
            errors.add("upstream.tls.cert: a client certificate for the proxy needs upstream.secretFile, so that "
                    + "tenants cannot use the proxy's x509 identity through 'auth' ACLs (see SECURITY.md)");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static void upstream(String connectString, List<String> errors) {
        if (connectString.contains("/")) {
            errors.add("upstream: '" + connectString + "' has a chroot suffix; give each tenant a chroot instead");
            return;
        }
        for (String server : connectString.split(",")) {
            address("upstream", server, errors);
        }
    }

    private static HostPort address(String field, String text, List<String> errors) {
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            errors.add(field + ": " + e.getMessage());
            return null;
        }
    }

    private static void limits(Limits limits, List<String> errors) {
        positive("limits.maxFrameBytes", limits.maxFrameBytes(), errors);
        positive("limits.maxInFlight", limits.maxInFlight(), errors);
        positive("limits.maxConnectionsPerTenant", limits.maxConnectionsPerTenant(), errors);
        positive("limits.handshakeTimeoutMs", limits.handshakeTimeoutMs(), errors);
        positive("limits.idleTimeoutMs", limits.idleTimeoutMs(), errors);
        positive("limits.upstreamConnectTimeoutMs", limits.upstreamConnectTimeoutMs(), errors);
        if (limits.drainMs() < 0) {
            errors.add("limits.drainMs: " + limits.drainMs() + " (expected: >= 0, 0 to close at once)");
        }
        positive("limits.upstreamMovesPerSecond", limits.upstreamMovesPerSecond(), errors);
        budget("limits.requestsPerSecond", limits.requestsPerSecond(), errors);
        budget("limits.bytesPerSecond", limits.bytesPerSecond(), errors);
        budget("limits.connectionsPerSecond", limits.connectionsPerSecond(), errors);
        if (limits.maxHandshakesInProgress() < 0) {
            errors.add("limits.maxHandshakesInProgress: " + limits.maxHandshakesInProgress()
                    + " (expected: >= 0, 0 for no limit)");
        }
        positive("limits.handshakeWaitMs", limits.handshakeWaitMs(), errors);
        quota("limits.quotaZnodes", limits.quotaZnodes(), errors);
        quota("limits.quotaBytes", limits.quotaBytes(), errors);
        quota("limits.maxWatchesPerSession", limits.maxWatchesPerSession().longValue(), errors);
        if (limits.quotaBytesPerZnode() < MIN_BYTES_PER_ZNODE) {
            errors.add("limits.quotaBytesPerZnode: " + limits.quotaBytesPerZnode() + " (expected: >= "
                    + MIN_BYTES_PER_ZNODE + ")");
        }
    }

    /** A quota: 0 (none) or a positive count. */
    private static void quota(String field, Long value, List<String> errors) {
        if (value != null && value < 0) {
            errors.add(field + ": " + value + " (expected: >= 0, 0 for no limit)");
        }
    }

    private static void positive(String field, int value, List<String> errors) {
        if (value <= 0) {
            errors.add(field + ": " + value + " (expected: > 0)");
        }
    }

    /** A budget's refill: 0 (none) up to one token a nanosecond, the finest rate a Bucket4j bucket refills at. */
    private static void budget(String field, int value, List<String> errors) {
        if (value < 0 || value > MAX_BUDGET_PER_SECOND) {
            errors.add(field + ": " + value + " (expected: 0.." + MAX_BUDGET_PER_SECOND + ", 0 for no budget)");
        }
    }
}
