/**
 * The ZooKeeper identities the proxy acts under on the ensemble: one per tenant and one for the platform, derived
 * from the upstream secret ({@link io.zktenantproxy.proxy.identity.Identities}), the ACLs they give the znodes the
 * proxy makes ({@link io.zktenantproxy.proxy.identity.UpstreamAcls}), and what the ACLs of a tree made before them
 * become ({@link io.zktenantproxy.proxy.identity.AclMigration}). Imports only {@code config}.
 */
package io.zktenantproxy.proxy.identity;
