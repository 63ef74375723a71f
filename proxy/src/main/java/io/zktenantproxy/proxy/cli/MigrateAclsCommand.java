package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigLoader;
import io.zktenantproxy.proxy.config.ConfigValidator;
import io.zktenantproxy.proxy.config.OperatorConfig;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.UpstreamSecret;
import io.zktenantproxy.proxy.identity.AclMigration;
import io.zktenantproxy.proxy.identity.DigestCredential;
import io.zktenantproxy.proxy.identity.Identities;
import io.zktenantproxy.proxy.upstream.OperatorClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code migrate-acls (--config FILE | --tenant NAME [--chroot PATH]) [--upstream CONNECT_STRING]
 * [--upstream-secret-file FILE] [--dry-run]}: puts a tree made before the upstream secret existed under the tenant
 * and platform identities derived from it, as the proxy would have made it ({@link AclMigration}, walked by
 * {@link AclMigrator}): tenant znodes name the tenant's identities where they named {@code world:anyone}, the chroot,
 * its parents, the proxy's own znodes and the quota znodes get the ACLs {@code UpstreamAcls} gives new ones.
 * Authenticates as the platform (the operator identity of {@code --config}, else the identity derived from the
 * secret), plus {@code --digest} if given (ZooKeeper's super user, for znodes the platform cannot administer).
 *
 * <p>Prints a report per tenant and one for the platform's znodes: visited, changed, unchanged, unreadable. Exit 0
 * when every znode is (or, with {@code --dry-run}, would be) migrated, 1 when some could not be read or administered
 * (or the ensemble failed), 2 on invalid usage or configuration. Never prints a password or the secret: ACL entries
 * show digest ids ({@code user:base64(sha1(user:password))}).
 */
@Command(name = "migrate-acls", mixinStandardHelpOptions = true,
        description = {"Put a tenant tree made before the upstream secret under the identities derived from it: "
                + "world:anyone (and stale identities of the tenant) become the tenant's identities, the platform gets "
                + "ALL, chroot parents, the proxy's own znodes and quota znodes become the platform's. Idempotent; "
                + "each znode whose ACL changes gets a new ACL version.",
                "--timeout-ms bounds the connection only: a migration runs until its walk is done."})
final class MigrateAclsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    UpstreamOptions upstreamOptions;

    @Option(names = "--upstream", paramLabel = "CONNECT_STRING",
            description = "The ZooKeeper ensemble, host:port,... (default: the --config file's upstream).")
    String upstream;

    @Option(names = "--config", paramLabel = "FILE", description = "Migrate every tenant of this proxy "
            + "configuration; it also gives the upstream, the secret file and the operator identity.")
    Path config;

    @Option(names = "--tenant", paramLabel = "NAME", description = "Migrate this tenant alone (instead of --config; "
            + "for a proxy without an operator identity).")
    String tenant;

    @Option(names = "--chroot", paramLabel = "PATH", description = "The --tenant's chroot (default /tenants/NAME).")
    String chroot;

    @Option(names = "--dry-run", description = "Print each ACL that would change (before -> after); write nothing.")
    boolean dryRun;

    /** What to migrate, as resolved from the options. */
    private record Plan(String connectString, Map<String, String> chroots, Path secretFile, OperatorConfig operator) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Plan plan;
        Identities identities;
        try {
            plan = plan();
            identities = Identities.of(UpstreamSecret.read(plan.secretFile()), plan.operator());
        } catch (ConfigException e) {
            e.errors().forEach(error -> err.println("error: " + error));
            return 2;
        }
        AclMigration migration = new AclMigration(identities);
        List<DigestCredential> credentials = new ArrayList<>(upstreamOptions.digestCredentials());
        credentials.addAll(identities.platform());
        try (OperatorClient client = upstreamOptions.connect(plan.connectString(), credentials, err)) {
            if (client == null) {
                return 1;
            }
            int secrets = identities.tenant(plan.chroots().keySet().iterator().next()).size();
            out.println("migrate-acls" + (dryRun ? " --dry-run: nothing is written" : "") + "; " + secrets
                    + (secrets == 1 ? " secret" : " secrets (the first current)") + ", platform user "
                    + identities.platform().get(0).user());
            AclMigrator migrator = new AclMigrator(client.curator(), migration, dryRun, upstreamOptions.maxNodes, out);
            int unreadable = 0;
            int changed = 0;
            for (Map.Entry<String, String> t : plan.chroots().entrySet()) {
                out.println("tenant " + t.getKey() + " (chroot " + t.getValue() + ", user "
                        + Identities.tenantUser(t.getKey()) + "):");
                AclMigrator.Tally tally = migrator.tenant(t.getKey(), t.getValue());
                out.println("tenant " + t.getKey() + ": " + tally.summary(dryRun)
                        + (tally.visited() == 0 ? " (no chroot yet: nothing to migrate)" : ""));
                unreadable += tally.unreadable;
                changed += tally.changed;
            }
            out.println("platform znodes (chroot parents, quota parents, /zk-tenant-proxy, session markers):");
            AclMigrator.Tally platform = migrator.platform(plan.chroots().keySet(), plan.chroots().values());
            out.println("platform: " + platform.summary(dryRun));
            unreadable += platform.unreadable;
            changed += platform.changed;
            if (migrator.markerRootClosed()) {
                out.println("note: the session-marker root " + (dryRun ? "would no longer grant" : "no longer grants")
                        + " world:anyone; only the platform and the tenants migrated here ("
                        + String.join(", ", plan.chroots().keySet()) + ") may create session markers. A running proxy "
                        + "with the secret that serves any other tenant grants that tenant again when restarted.");
            }
            if (dryRun && changed > 0) {
                out.println("dry run: " + changed + " znodes would change; run again without --dry-run to write them");
            }
            out.flush();
            if (unreadable > 0) {
                err.println("error: " + unreadable + " znodes could not be migrated (listed above as unreadable): the "
                        + "platform identity cannot read or administer them. Run again with --digest USER:PASSWORD of "
                        + "ZooKeeper's super user (zookeeper.DigestAuthenticationProvider.superDigest on the servers).");
                return 1;
            }
            return 0;
        } catch (AclMigrator.TooManyNodesException | IllegalStateException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (KeeperException e) {
            err.println("error: the ensemble failed the migration: " + e.getMessage()
                    + "; what was migrated stays so, run again to finish");
            return 1;
        }
    }

    /** @return the ensemble, tenants, secret file and operator identity the options (and the config file) name */
    private Plan plan() throws ConfigException {
        if ((config == null) == (tenant == null)) {
            throw new ConfigException(List.of("give either --tenant NAME or --config FILE (not both)"));
        }
        if (chroot != null && tenant == null) {
            throw new ConfigException(List.of("--chroot goes with --tenant"));
        }
        Map<String, String> chroots = new LinkedHashMap<>();
        String connectString = upstream;
        Path secretFile = upstreamOptions.secretFile;
        OperatorConfig operator = null;
        if (config != null) {
            ProxyConfig proxyConfig = ConfigLoader.load(config);
            proxyConfig.tenants().forEach((TenantConfig t) -> chroots.put(t.name(), t.chroot()));
            connectString = connectString != null ? connectString : proxyConfig.connectString();
            String configured = proxyConfig.upstream().secretFile();
            secretFile = secretFile != null || configured == null ? secretFile : Path.of(configured);
            operator = proxyConfig.operator();
            upstreamOptions.defaultsFromTls(proxyConfig);
        } else {
            TenantConfig only = new TenantConfig(tenant, chroot, "127.0.0.1:0", null);
            // validated as the proxy validates a sidecar's tenant (name, chroot); the listen address is not used here
            List<String> errors = ConfigValidator.validate(ProxyConfig.forUpstream(upstream).withTenants(List.of(only)));
            if (!errors.isEmpty()) {
                throw new ConfigException(errors);
            }
            chroots.put(only.name(), only.chroot());
        }
        if (connectString == null) {
            throw new ConfigException(List.of("--upstream is required (or a --config file with an upstream)"));
        }
        if (secretFile == null) {
            throw new ConfigException(List.of("an upstream secret is required: --upstream-secret-file FILE (or "
                    + "upstream.secretFile in the --config file); the identities are derived from it"));
        }
        return new Plan(connectString, chroots, secretFile, operator);
    }
}
