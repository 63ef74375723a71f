/**
 * The composition root: {@link ProxyRuntime} starts everything one proxy process runs (the proxy, its admin server,
 * the embedded ZooKeeper when there is one, the periodic Flink scan behind the Flink meters) and stops them in order.
 *
 * <p>Imports {@code config}, {@code embedded}, {@code metrics}, {@code server}, {@code flink} and {@code admin}.
 * Imported by {@code cli} only. The layering is checked by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.runtime;
