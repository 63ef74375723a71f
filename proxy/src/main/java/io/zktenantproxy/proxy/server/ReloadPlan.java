package io.zktenantproxy.proxy.server;

import io.zktenantproxy.proxy.config.ProxyConfig;
import io.zktenantproxy.proxy.config.TenantConfig;
import io.zktenantproxy.proxy.config.UpstreamConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload changes, worked out from the running and the new configuration before anything is touched.
 *
 * <p>Applied live: tenants added (listener opened, chroot created) and removed (listener closed at once, connections
 * closed after {@code limits.drainMs}, data upstream untouched); a tenant's budget, quotas and advertised addresses
 * (in place, its connections kept); its listen address or TLS choice (the listener re-opened, connections kept); its
 * chroot (a new tenant: its connections are closed, since their sessions' ephemerals and watches live under the old
 * chroot and would keep answering for it); client identities on the shared TLS listener; the upstream connect
 * string (new upstream connections use it, existing ones are moved over at {@code limits.upstreamMovesPerSecond});
 * the other limits (for connections accepted afterwards).
 *
 * <p>Refused, naming the key, because they change what existing sessions stand on or what was bound at start:
 * {@code upstream.secretFile}, {@code upstream.tls}, {@code upstream.version}, {@code upstream.versionCheckMs},
 * {@code tls}, {@code operator}, {@code admin}, {@code dataDir}, {@code createChroots}, {@code server.transport}.
 * Those need a restart.
 *
 * @param restartOnly  one line per changed key that needs a restart; a plan with any is not applied
 * @param added        tenants that are new
 * @param removed      tenants that are gone
 * @param rechrooted   tenants whose chroot changed
 * @param relistened   tenants whose own listener changes (address, TLS or none)
 * @param kept         tenants in both, with their new configuration (reconfigured in place)
 * @param upstreamMoved whether the upstream connect string changed
 * @param contextChanged whether what new connections share changed (limits, upstream)
 * @param changed      whether anything changed at all
 */
record ReloadPlan(List<String> restartOnly, List<TenantConfig> added, List<TenantConfig> removed,
                  List<TenantConfig> rechrooted, List<TenantConfig> relistened, List<TenantConfig> kept,
                  boolean upstreamMoved, boolean contextChanged, boolean changed) {

    /** @return the plan from {@code running} to {@code next}; both valid configurations */
    static ReloadPlan of(ProxyConfig running, ProxyConfig next) {
        List<String> restart = new ArrayList<>();
        UpstreamConfig ru = running.upstream();
        UpstreamConfig nu = next.upstream();
        needsRestart(restart, "upstream.secretFile", ru.secretFile(), nu.secretFile());
        needsRestart(restart, "upstream.tls", ru.tls(), nu.tls());
        needsRestart(restart, "upstream.version", ru.version(), nu.version());
        needsRestart(restart, "upstream.versionCheckMs", ru.versionCheckMs(), nu.versionCheckMs());
        needsRestart(restart, "tls", running.tls(), next.tls());
        needsRestart(restart, "operator", running.operator(), next.operator());
        needsRestart(restart, "admin", running.admin(), next.admin());
        needsRestart(restart, "dataDir", running.dataDir(), next.dataDir());
        needsRestart(restart, "createChroots", running.createChroots(), next.createChroots());
        needsRestart(restart, "server.transport", running.server().effectiveTransport(),
                next.server().effectiveTransport());

        Map<String, TenantConfig> before = byName(running.tenants());
        Map<String, TenantConfig> after = byName(next.tenants());
        List<TenantConfig> added = new ArrayList<>();
        List<TenantConfig> removed = new ArrayList<>();
        List<TenantConfig> rechrooted = new ArrayList<>();
        List<TenantConfig> relistened = new ArrayList<>();
        List<TenantConfig> kept = new ArrayList<>();
        after.forEach((name, tc) -> {
            TenantConfig old = before.get(name);
            if (old == null) {
                added.add(tc);
            } else if (!old.chroot().equals(tc.chroot())) {
                rechrooted.add(tc);
            } else {
                kept.add(tc);
                if (!Objects.equals(old.listen(), tc.listen())
                        || old.listenerTls(running.tls()) != tc.listenerTls(next.tls())) {
                    relistened.add(tc);
                }
            }
        });
        before.forEach((name, tc) -> {
            if (!after.containsKey(name)) {
                removed.add(tc);
            }
        });
        boolean upstreamMoved = !Objects.equals(ru.connect(), nu.connect());
        boolean contextChanged = upstreamMoved || !running.limits().equals(next.limits());
        boolean changed = !running.equals(next);
        return new ReloadPlan(List.copyOf(restart), List.copyOf(added), List.copyOf(removed),
                List.copyOf(rechrooted), List.copyOf(relistened), List.copyOf(kept), upstreamMoved, contextChanged,
                changed);
    }

    private static void needsRestart(List<String> out, String key, Object running, Object next) {
        if (!Objects.equals(running, next)) {
            out.add(key + ": changed, and changes to it need a restart (the running value stays)");
        }
    }

    private static Map<String, TenantConfig> byName(List<TenantConfig> tenants) {
        Map<String, TenantConfig> map = new LinkedHashMap<>();
        tenants.forEach(t -> map.put(t.name(), t));
        return map;
    }
}
