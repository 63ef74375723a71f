package io.zktenantproxy.proxy.tree;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One node of a tree as the tenant sees it (paths without the chroot).
 *
 * @param path       the client path, e.g. {@code /flink/default/leader}
 * @param name       the last path element ({@code /} for the root)
 * @param stat       the node's stat
 * @param data       its data, only when asked for and readable; else null
 * @param unreadable whether the proxy's client may not list or read the node (its ACL): stat only
 * @param subtree    totals over the node and everything under it
 * @param children   the children, sorted by name, when the node is within the depth asked for; else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TreeNode(String path, String name, NodeStat stat, NodeData data, Boolean unreadable, Subtree subtree,
                       List<TreeNode> children) {
}
