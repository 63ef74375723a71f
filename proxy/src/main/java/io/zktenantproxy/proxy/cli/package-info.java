/**
 * The command line ({@link Main}, picocli): {@code serve} (the default) runs the proxy, {@code check-config}
 * validates a configuration, {@code tree} and {@code du} read tenants' trees straight from the ensemble with an
 * operator client of their own, {@code migrate-acls} puts a tree made before the upstream secret under the identities
 * derived from it.
 *
 * <p>Top layer: imports {@code config}, {@code embedded}, {@code identity}, {@code runtime}, {@code tree} and
 * {@code upstream}; imported by nothing. The layering is checked by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.cli;
