package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.QuotaLimits;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.TlsConfig;
import io.zktenantproxy.proxy.config.UpstreamTlsConfig;
import io.zktenantproxy.proxy.server.ProxyTls;
import io.zktenantproxy.proxy.server.Transport;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code check-config FILE}: validates a configuration and prints what the proxy would serve. Exit 2 if invalid. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate a configuration file and print what the proxy would serve.")
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "YAML configuration")
    Path file;

    @Override
    public Integer call() {
        ProxyConfig config;
        try {
            config = ConfigLoader.load(file);
        } catch (ConfigException e) {
            e.errors().forEach(error -> System.err.println("error: " + error));
            return 2;
        }
        System.out.println("upstream: " + (config.connectString() == null
                ? "embedded ZooKeeper under " + config.dataDir() : config.connectString()));
        String secretFile = config.upstream().secretFile();
        if (secretFile == null) {
            System.out.println("tenant identities: off (no upstream.secretFile: the ensemble is open to direct "
                    + "clients)");
        } else {
            try {
                int secrets = UpstreamSecret.read(Path.of(secretFile)).secrets().size();
                System.out.println("tenant identities: on, derived from " + secretFile + " (" + secrets
                        + (secrets == 1 ? " secret)" : " secrets: a rotation is under way)"));
            } catch (ConfigException e) {
                e.errors().forEach(error -> System.err.println("error: " + error));
                return 2;
            }
        }
        try {
            ProxyTls.check(config);
        } catch (ConfigException e) {
            e.errors().forEach(error -> System.err.println("error: " + error));
            return 2;
        }
        String requested = config.server().effectiveTransport();
        try {
            String runs = Transport.select(requested).name();
            System.out.println("transport: " + runs + (requested.equals(runs) ? "" : " (" + requested + ")"));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        if (config.admin() != null) {
            try {
                config.admin().resolvedToken(); // a token file that cannot be read stops the start: say so now
            } catch (IllegalArgumentException e) {
                System.err.println("error: " + e.getMessage());
                return 2;
            }
        }
        TlsConfig tls = config.tls();
        System.out.println("tls: " + (tls == null ? "off (plain listeners)" : "certificate " + tls.cert()
                + (tls.mutual() ? ", client certificates required (CA " + tls.clientCa() + ", rule "
                + tls.clientIdentity() + ")" : ", no client certificates")
                + (tls.listen() == null ? "" : ", shared listener " + tls.listen())));
        UpstreamTlsConfig upstreamTls = config.upstream().tls();
        System.out.println("upstream tls: " + (upstreamTls == null ? "off" : "CA " + (upstreamTls.ca() == null
                ? "the JVM's" : upstreamTls.ca()) + (upstreamTls.cert() == null ? ", no client certificate"
                : ", client certificate " + upstreamTls.cert()) + ", hostname verification "
                + (upstreamTls.hostnameVerification() ? "on" : "OFF")));
        System.out.println("create chroots: " + config.createChroots());
        System.out.println("limits: " + config.limits());
        System.out.println("admin: " + (config.admin() == null ? "off" : config.admin().listen()
                + (config.admin().tokenFile() != null ? " (token from " + config.admin().tokenFile() + ")"
                : config.admin().token() != null ? " (token set)" : " (no token: POST /reload refused)")));
        for (TenantConfig t : config.tenants()) {
            System.out.println("tenant " + t.name() + ": listen " + (t.listen() == null ? "(shared TLS listener only)"
                    : t.listen() + (t.listenerTls(tls) ? " (TLS)" : "")) + ", chroot " + t.chroot()
                    + (t.clientIdentities().isEmpty() ? "" : ", certificate identities " + t.clientIdentities())
                    + (t.advertised().isEmpty() ? "" : ", advertised " + t.advertised())
                    + ", budget " + budget(t.requestsPerSecond(config.limits()), " requests/s") + ", "
                    + budget(t.bytesPerSecond(config.limits()), " bytes/s") + ", "
                    + quotas(t.quotas(config.limits())));
        }
        System.out.println("OK");
        return 0;
    }

    private static String quotas(QuotaLimits q) {
        return "quota " + limit(q.znodes(), " znodes") + ", " + limit(q.bytes(), " bytes") + " (" + q.bytesPerZnode()
                + " per znode), " + limit(q.watchesPerSession(), " watches per session");
    }

    private static String limit(long value, String unit) {
        return value == 0 ? "unlimited" + unit : value + unit;
    }

    private static String budget(int perSecond, String unit) {
        return perSecond == 0 ? "unlimited" + unit : perSecond + unit;
    }
}
