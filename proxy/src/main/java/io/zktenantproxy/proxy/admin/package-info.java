/**
 * The admin HTTP server ({@link AdminServer}, Netty's HTTP codec): health, readiness, Prometheus metrics, the tenant
 * list, a tenant's tree as JSON and the tree browser page. HTTP things only: routes, query parameters, answers; the
 * trees themselves are read by {@code tree}.
 *
 * <p>Imports {@code config}, {@code server} (what it reports on, and the proxy's operator client) and {@code tree}.
 * Imported by {@code runtime} only. The layering is checked by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.admin;
