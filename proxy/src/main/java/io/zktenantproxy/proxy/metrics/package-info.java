/**
 * The proxy's meters (Micrometer, scraped as Prometheus text): {@link MeterNames} names every meter and tag,
 * {@link ProxyMetrics} holds the registry and the process-wide meters, {@link TenantMeters} one tenant's. Tags come
 * only from enums ({@link CloseReason}, opcodes, error codes) and configured names.
 *
 * <p>Imports {@code config} (the slow threshold, the upstream servers) and the {@code protocol} module (opcodes and
 * error codes index the per-opcode meters). Imported by {@code server}, which records, and {@code runtime}, which
 * builds the registry. The layering is checked by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.metrics;
