/**
 * Per-tenant quotas on what the ensemble keeps: {@link io.zktenantproxy.proxy.quota.TenantQuota} decides each write
 * against the tenant's usage, which {@link io.zktenantproxy.proxy.quota.EnsembleUsageSource} has ZooKeeper count
 * ({@code /zookeeper/quota<chroot>/zookeeper_stats}) so that every proxy instance shares it. The charge of a request
 * and the per-session watch ledger are protocol facts and live in the {@code protocol} module ({@code QuotaCharge},
 * {@code WatchLedger}); the rules and the bounds are in {@code SECURITY.md}, "Quotas".
 *
 * <p>Imports {@code config} and {@code upstream}; imported by {@code server}, {@code admin} and {@code cli}
 * ({@code PackageLayeringTest}).
 */
package io.zktenantproxy.proxy.quota;
