/**
 * The proxy itself: {@link ProxyServer} accepts each tenant's clients and relays them to the ensemble. (A description
 * of the request path follows with the rewrite of the client connection.)
 *
 * <p>Imports {@code config}, {@code metrics}, {@code upstream} (the proxy's one operator client, which
 * {@link ProxyServer} builds and shares) and the {@code protocol} module. Imported by {@code admin} and
 * {@code runtime}; never by {@code tree}, which sits beside it. The layering is checked by
 * {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.server;
