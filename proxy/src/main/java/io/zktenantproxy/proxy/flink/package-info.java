/**
 * A tenant's Flink HA state as operators think of it, read from the tenant's ZooKeeper tree (issue 18):
 * {@link io.zktenantproxy.proxy.flink.FlinkHaScanner} reads the znodes Flink 1.12 to 2.3 keep under
 * {@code <root>/<cluster-id>} through the operator's client, within bounds on nodes and time
 * ({@link io.zktenantproxy.proxy.flink.FlinkScanLimits}), and returns a
 * {@link io.zktenantproxy.proxy.flink.FlinkView}: per cluster its {@link io.zktenantproxy.proxy.flink.HaLayout},
 * component leaders, jobs with their newest checkpoint and counter, applications, locks and the orphan decision.
 * Leader information, which Flink writes with Java serialization, is parsed by an allow-listed grammar
 * ({@link io.zktenantproxy.proxy.flink.LeaderInfoParser}) and never deserialized. Nothing here knows HTTP, the command
 * line or metrics; the admin server, the CLI and the metrics scan call the scanner.
 *
 * <p>Imports {@code tree} (its reader's connected handle and its errors), {@code upstream} (the client) and the
 * {@code protocol} module (the tenant's chroot). The layering is checked by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.flink;
