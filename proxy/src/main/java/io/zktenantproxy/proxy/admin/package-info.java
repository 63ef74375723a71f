/**
 * The admin HTTP server ({@link AdminServer}, Netty's HTTP codec): health, readiness, Prometheus metrics, the tenant
 * list, a tenant's tree and its Flink HA view as JSON, and the browser page. HTTP things only: routes, query
 * parameters, answers; the trees themselves are read by {@code tree}, the Flink views by {@code flink}.
 *
 * <p>Imports {@code config}, {@code server} (what it reports on, and the proxy's operator client), {@code tree} and
 * {@code flink}.
 * Imported by {@code runtime} only. The layering is checked by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.admin;
