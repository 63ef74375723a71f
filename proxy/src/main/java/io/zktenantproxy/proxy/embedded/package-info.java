/**
 * A real standalone ZooKeeper in the proxy's own JVM ({@link EmbeddedZooKeeper}), for running the proxy with no
 * ensemble at hand.
 *
 * <p>Stands alone: imports no package of the proxy, only ZooKeeper's server. Imported by {@code cli} ({@code serve}
 * starts it when no upstream is given) and {@code runtime} (which closes it last). The layering is checked by
 * {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.embedded;
