/**
 * The ZooKeeper identities the proxy acts under on the ensemble: one per tenant and one for the platform, derived
 * from the upstream secret ({@link io.zktenantproxy.proxy.identity.Identities}). Imports only {@code config}.
 */
package io.zktenantproxy.proxy.identity;
