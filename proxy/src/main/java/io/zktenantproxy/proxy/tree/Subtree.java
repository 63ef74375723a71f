package io.zktenantproxy.proxy.tree;

/**
 * Totals over a node and everything under it.
 *
 * @param nodes      nodes, the node itself included
 * @param bytes      data bytes of those nodes
 * @param ephemerals ephemeral nodes among them
 * @param partial    whether some node's children could not be listed (no permission), so the totals are low
 */
public record Subtree(long nodes, long bytes, long ephemerals, boolean partial) {
}
