/**
 * The proxy's configuration: {@link ProxyConfig} and its parts (tenants, limits, the admin server, the operator
 * identity) as immutable records, read from YAML by {@link ConfigLoader} or built from the sidecar flags, and checked
 * by {@link ConfigValidator} before anything starts.
 *
 * <p>Imports no package of the proxy, only the {@code protocol} module (chroot rules, frame bounds). Bottom layer:
 * imported by {@code metrics}, {@code upstream}, {@code server}, {@code admin}, {@code runtime} and {@code cli}.
 * The layering is checked by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.config;
