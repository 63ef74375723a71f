package io.zktenantproxy.proxy.server;

import io.netty.channel.Channel;
import io.zktenantproxy.proxy.config.ConfigException;
import io.zktenantproxy.proxy.config.ConfigValidator;
import io.zktenantproxy.proxy.config.HostPort;
import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.metrics.CloseReason;
import io.zktenantproxy.proxy.tls.TenantCertificates;
import io.zktenantproxy.proxy.upstream.EnsembleReleaseWatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies reloads to a running {@link ProxyServer}, one at a time ({@link ReloadPlan} says what may change live):
 * validated first, with the same checks and messages as at start; listeners on new addresses are bound next, so a
 * port in use refuses the reload before anything changed; then tenants, listeners, the context of new connections
 * and the upstream change. Every outcome is counted in {@code zktp_config_reloads_total{outcome}}, logged (a refusal
 * at WARN, one line per problem) and kept for {@code /tenants} and {@code /readyz} ({@link #last}).
 */
final class Reconfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(Reconfiguration.class);

    private final ProxyServer server;
    private final AtomicLong generation = new AtomicLong(1);
    private volatile ReloadStatus last = ReloadStatus.now(1, "started", List.of());

    Reconfiguration(ProxyServer server) {
        this.server = server;
    }

    /** @return the last outcome (or the start) */
    ReloadStatus last() {
        return last;
    }

    /** Records a reload refused before it was planned (the file did not parse). */
    synchronized ReloadStatus refuse(List<String> errors) {
        return finish("refused", errors);
    }

    /** @return the outcome of applying {@code next}; see the class comment */
    synchronized ReloadStatus reload(ProxyConfig next) {
        if (server.isClosed()) {
            return finish("refused", List.of("the proxy is stopping"));
        }
        List<String> errors = new ArrayList<>(ConfigValidator.validate(next));
        if (next.connectString() == null) {
            errors.add("upstream: missing");
        }
        ProxyConfig running = server.config();
        ReloadPlan plan = errors.isEmpty() ? ReloadPlan.of(running, next) : null;
        if (plan != null) {
            errors.addAll(plan.restartOnly());
        }
        if (!errors.isEmpty()) {
            return finish("refused", errors);
        }
        if (!plan.changed()) {
            return finish("unchanged", List.of());
        }
        Map<String, Channel> opened = new LinkedHashMap<>();
        List<String> sameAddress = new ArrayList<>();
        try {
            for (TenantConfig tc : plan.added()) {
                openListener(tc, next, opened);
            }
            for (TenantConfig tc : concat(plan.relistened(), plan.rechrooted())) {
                if (listenerChanges(running, next, tc.name())) {
                    if (sameAddressAsRunning(running, tc)) {
                        sameAddress.add(tc.name()); // rebound after the old one closes, in apply
                    } else {
                        openListener(tc, next, opened);
                    }
                }
            }
        } catch (IllegalStateException e) {
            opened.values().forEach(server.listeners()::discard);
            return finish("refused", List.of(e.getMessage()));
        }
        apply(plan, running, next, opened, sameAddress);
        generation.incrementAndGet();
        return finish("applied", List.of());
    }

    private void apply(ReloadPlan plan, ProxyConfig running, ProxyConfig next, Map<String, Channel> opened,
                       List<String> sameAddress) {
        Map<String, Tenant> before = server.tenantMap();
        if (plan.contextChanged()) {
            ProxyContext c = server.context();
            server.context(new ProxyContext(next.limits(), plan.upstreamMoved() ? server.dialer(next) : c.dialer(),
                    c.gate(), c.clients(), c.shuttingDown(), c.ensemble()));
        }
        Map<String, Tenant> after = new LinkedHashMap<>();
        for (TenantConfig tc : next.tenants()) {
            Tenant kept = before.get(tc.name());
            if (kept != null && plan.kept().contains(tc)) {
                kept.reconfigure(tc, next.limits(), ProxyServer.defaultAdvertised(tc, next));
                after.put(tc.name(), kept);
            } else {
                after.put(tc.name(), server.newTenant(tc, next));
            }
        }
        server.tenantMap(Collections.unmodifiableMap(after));
        server.config(next);
        if (server.tls().listeners() != null) {
            try {
                server.tls().listeners().retarget(TenantCertificates.of(next));
            } catch (ConfigException e) {
                LOG.error("reload: the shared TLS listener keeps its previous tenant identities: {}", e.errors());
            }
        }
        ListenerSockets listeners = server.listeners();
        for (TenantConfig tc : running.tenants()) {
            if (!after.containsKey(tc.name()) || listenerChanges(running, next, tc.name())) {
                listeners.close(tc.name());
            }
        }
        opened.forEach(listeners::put);
        for (String name : sameAddress) {
            try {
                TenantConfig tc = find(next, name);
                listeners.put(name, listeners.bind(server.tenantListener(tc, next), HostPort.parse(tc.listen())));
            } catch (IllegalStateException e) {
                LOG.error("reload: tenant {} has no listener now: {}", name, e.getMessage());
            }
        }
        for (TenantConfig tc : concat(plan.added(), plan.rechrooted())) {
            server.provision(after.get(tc.name()));
        }
        for (TenantConfig tc : plan.rechrooted()) {
            Tenant old = before.get(tc.name());
            TenantConnections.close(TenantConnections.select(server.context().clients(), c -> c.tenant() == old),
                    CloseReason.CHROOT_CHANGED, "chroot changed from " + old.chroot() + " to " + tc.chroot());
        }
        for (TenantConfig tc : plan.removed()) {
            Tenant old = before.get(tc.name());
            server.workers().schedule(() -> TenantConnections.close(TenantConnections.select(
                    server.context().clients(), c -> c.tenant() == old), CloseReason.TENANT_REMOVED,
                    "tenant removed by a reload"), next.limits().drainMs(), TimeUnit.MILLISECONDS);
        }
        if (plan.upstreamMoved()) {
            moveUpstream(next);
        }
        LOG.info("reload applied (generation {}): tenants added {}, removed {}, chroot changed {}, listeners "
                        + "changed {}{}", generation.get() + 1, names(plan.added()), names(plan.removed()),
                names(plan.rechrooted()), names(plan.relistened()),
                plan.upstreamMoved() ? "; upstream now " + next.connectString() : "");
    }

    /** New upstream connections go to the new servers; the proxy's own client and open connections move over. */
    private void moveUpstream(ProxyConfig next) {
        server.operatorClient().moveTo(next.connectString());
        EnsembleReleaseWatch watch = server.releaseWatch();
        if (watch != null) {
            watch.close();
        }
        server.releaseWatch(server.releaseWatch(next));
        List<Connection> open = TenantConnections.select(server.context().clients(), c -> true);
        TenantConnections.closeGradually(open, next.limits().upstreamMovesPerSecond(), server.workers().next(),
                CloseReason.UPSTREAM_MOVED, "upstream moved to " + next.connectString());
    }

    private void openListener(TenantConfig tc, ProxyConfig cfg, Map<String, Channel> into) {
        if (tc.listen() != null) {
            into.put(tc.name(), server.listeners().bind(server.tenantListener(tc, cfg), HostPort.parse(tc.listen())));
        }
    }

    private static boolean listenerChanges(ProxyConfig running, ProxyConfig next, String name) {
        TenantConfig a = find(running, name);
        TenantConfig b = find(next, name);
        return a == null || b == null || !Objects.equals(a.listen(), b.listen())
                || a.listenerTls(running.tls()) != b.listenerTls(next.tls());
    }

    /** A listener re-opened on the address it has now (its TLS changed) must close first: the port is ours. */
    private static boolean sameAddressAsRunning(ProxyConfig running, TenantConfig tc) {
        TenantConfig old = find(running, tc.name());
        return old != null && old.listen() != null && tc.listen() != null
                && HostPort.parse(old.listen()).equals(HostPort.parse(tc.listen()))
                && HostPort.parse(tc.listen()).port() != 0;
    }

    private static TenantConfig find(ProxyConfig cfg, String name) {
        return cfg.tenants().stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    private static List<TenantConfig> concat(List<TenantConfig> a, List<TenantConfig> b) {
        List<TenantConfig> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static List<String> names(List<TenantConfig> list) {
        return list.stream().map(TenantConfig::name).toList();
    }

    private ReloadStatus finish(String outcome, List<String> errors) {
        ReloadStatus status = ReloadStatus.now(generation.get(), outcome, errors);
        last = status;
        server.metrics().configReload(outcome);
        if (status.refused()) {
            LOG.warn("reload refused, generation {} keeps running:\n  {}", status.generation(),
                    String.join("\n  ", errors));
        } else if (outcome.equals("unchanged")) {
            LOG.info("reload: the configuration is unchanged (generation {})", status.generation());
        }
        return status;
    }
}
