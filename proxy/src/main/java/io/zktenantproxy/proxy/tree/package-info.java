/**
 * Reading a tenant's tree as the tenant sees it (paths without the chroot), for the admin server's tree routes and the
 * operator CLI's {@code tree} and {@code du}: {@link TreeReader} walks a subtree through an operator client with
 * ZooKeeper's asynchronous API ({@link TreeWalker}, bounded in nodes, data and time, as {@link TreeQuery} asks), and
 * returns {@link TreeNode}s with their {@link NodeStat}, {@link NodeData} and {@link Subtree} totals, or fails with a
 * {@link TreeException}. Nothing here knows HTTP or the command line.
 *
 * <p>Imports {@code upstream} (the client it reads through) and the {@code protocol} module (the tenant's chroot).
 * Imported by {@code admin} and {@code cli}; never by {@code server}, which sits beside it. The layering is checked
 * by {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.tree;
