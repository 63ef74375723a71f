package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.identity.AclMigration;
import io.zktenantproxy.proxy.identity.UpstreamAcls;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Quotas;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

/**
 * The walk of {@code migrate-acls}: reads each znode's ACL, asks {@link AclMigration} what it must be, and sets it
 * when it differs, compare-and-set on the znode's ACL version ({@code setACL} with {@code aversion}; on
 * {@code BADVERSION} it reads again). A znode deleted meanwhile ({@code NONODE}) is skipped; one the client cannot
 * read or administer ({@code NOAUTH}, or an ACL read with its digests blanked) is reported and left as it is. With
 * {@code dryRun} nothing is written and each change is printed as {@code path: before -> after}.
 *
 * <p>Prints per-path lines (changes in a dry run, warnings, unreadable znodes) to {@code out} as it goes; the caller
 * prints the {@link Tally} of each part. Single-threaded, synchronous: one request at a time, so a migration never
 * loads the ensemble more than one client does.
 */
final class AclMigrator {
    /** Compare-and-set attempts on one znode before giving up (another writer keeps changing its ACL). */
    private static final int ATTEMPTS = 20;

    /** What happened to the znodes of one part of the migration (a tenant's, or the platform's). */
    static final class Tally {
        int changed;
        int unchanged;
        int unreadable;
        int gone;

        /** @return the znodes found (each changed, unchanged or unreadable; those gone meanwhile not counted) */
        int visited() {
            return changed + unchanged + unreadable;
        }

        /** @return e.g. {@code 14 znodes visited, 12 changed, 2 unchanged, 0 unreadable} */
        String summary(boolean dryRun) {
            return visited() + " znodes visited, " + changed + (dryRun ? " would change, " : " changed, ") + unchanged
                    + " unchanged, " + unreadable + " unreadable" + (gone > 0 ? ", " + gone + " gone meanwhile" : "");
        }
    }

    /** The walk met more znodes than {@code --max-nodes} allows. */
    static final class TooManyNodesException extends Exception {
        TooManyNodesException(String root, int limit) {
            super("more than " + limit + " znodes under " + root + " (--max-nodes " + limit + "); nothing past them "
                    + "was migrated; run again with a larger --max-nodes");
        }
    }

    private enum Outcome { CHANGED, UNCHANGED, UNREADABLE, GONE }

    private final CuratorFramework curator;
    private final AclMigration migration;
    private final boolean dryRun;
    private final int maxNodes;
    private final PrintWriter out;
    private boolean markerRootClosed;

    /**
     * @param curator   a connected client, authenticated as the platform (or a super user)
     * @param maxNodes  the most znodes one walk (one tenant's part, or the platform's) may visit
     * @param out       where per-path lines go
     */
    AclMigrator(CuratorFramework curator, AclMigration migration, boolean dryRun, int maxNodes, PrintWriter out) {
        this.curator = curator;
        this.migration = migration;
        this.dryRun = dryRun;
        this.maxNodes = maxNodes;
        this.out = out;
    }

    /**
     * Migrates {@code tenant}'s chroot and every znode under it, then its quota znodes
     * ({@code /zookeeper/quota<chroot>} and everything under it).
     *
     * @return the tally; nothing visited when the chroot does not exist
     */
    Tally tenant(String tenant, String chroot) throws Exception {
        Tally tally = new Tally();
        int[] budget = {maxNodes};
        subtree(chroot, path -> path.equals(chroot) ? current -> migration.chroot(tenant)
                : current -> migration.tenantZnode(tenant, current), tally, budget);
        subtree(Quotas.quotaPath(chroot), path -> current -> migration.quota(), tally, budget);
        return tally;
    }

    /**
     * Migrates the znodes the platform alone owns: the parents of {@code chroots} ({@code /tenants}), the quota
     * znodes between {@code /zookeeper/quota} and each chroot's quota root, {@value UpstreamAcls#PLATFORM_ROOT}, the
     * session-marker root (granting {@code tenants} CREATE) and every marker under it.
     *
     * @return the tally
     */
    Tally platform(Collection<String> tenants, Collection<String> chroots) throws Exception {
        Tally tally = new Tally();
        Set<String> parents = new LinkedHashSet<>();
        Set<String> quotaParents = new LinkedHashSet<>();
        for (String chroot : chroots) {
            parents.addAll(ancestors(chroot, "/"));
            quotaParents.addAll(ancestors(Quotas.quotaPath(chroot), Quotas.quotaZookeeper));
        }
        for (String parent : parents) {
            migrate(parent, current -> migration.platformOnly(), tally, false);
        }
        for (String parent : quotaParents) {
            migrate(parent, current -> migration.quota(), tally, false);
        }
        migrate(UpstreamAcls.PLATFORM_ROOT, current -> migration.platformOnly(), tally, false);
        boolean[] wasOpen = {false};
        Outcome root = migrate(UpstreamAcls.MARKER_ROOT, current -> {
            wasOpen[0] = current.stream().anyMatch(a -> "world".equals(a.getId().getScheme()));
            return migration.markerRoot(tenants, current);
        }, tally, false);
        markerRootClosed = root == Outcome.CHANGED && wasOpen[0];
        if (root == Outcome.CHANGED || root == Outcome.UNCHANGED) {
            List<String> markers = children(UpstreamAcls.MARKER_ROOT, root, tally);
            if (markers.size() > maxNodes) {
                throw new TooManyNodesException(UpstreamAcls.MARKER_ROOT, maxNodes);
            }
            for (String marker : markers) {
                migrate(UpstreamAcls.MARKER_ROOT + "/" + marker, current -> migration.platformOnly(), tally, true);
            }
        }
        return tally;
    }

    /**
     * @return whether {@link #platform} took (or, in a dry run, would take) {@code world:anyone} off the marker root:
     *     tenants not migrated then need a grant before their sessions can create markers
     */
    boolean markerRootClosed() {
        return markerRootClosed;
    }

    /** @return the ancestors of {@code path} strictly between {@code top} and it, outermost first */
    static List<String> ancestors(String path, String top) {
        List<String> ancestors = new ArrayList<>();
        for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
            String ancestor = path.substring(0, slash);
            if (ancestor.startsWith(top.equals("/") ? "/" : top + "/")) {
                ancestors.add(ancestor);
            }
        }
        return ancestors;
    }

    /** Migrates {@code root} and everything under it, parents before children, each with its rule. */
    private void subtree(String root, Function<String, UnaryOperator<List<ACL>>> rules,
                         Tally tally, int[] budget) throws Exception {
        Deque<String> pending = new ArrayDeque<>();
        pending.push(root);
        while (!pending.isEmpty()) {
            String path = pending.pop();
            if (--budget[0] < 0) {
                throw new TooManyNodesException(root, maxNodes);
            }
            Outcome outcome = migrate(path, rules.apply(path), tally, !path.equals(root));
            if (outcome == Outcome.GONE || outcome == Outcome.UNREADABLE) {
                continue;
            }
            List<String> children = children(path, outcome, tally);
            String prefix = path.equals("/") ? "/" : path + "/";
            for (int i = children.size() - 1; i >= 0; i--) {
                pending.push(prefix + children.get(i)); // reversed onto the stack: visited in sorted order
            }
        }
    }

    /**
     * @param outcome what its ACL step did; a znode whose children cannot be listed moves from that bucket to
     *                unreadable, since the subtree under it stays unknown
     * @return {@code path}'s children, sorted; none when it is gone or they cannot be listed
     */
    private List<String> children(String path, Outcome outcome, Tally tally) throws Exception {
        try {
            List<String> children = new ArrayList<>(curator.getChildren().forPath(path));
            children.sort(null);
            return children;
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (KeeperException.NoAuthException e) {
            if (outcome == Outcome.CHANGED) {
                tally.changed--;
            } else {
                tally.unchanged--;
            }
            unreadable(path, "cannot list its children (no READ permission" + (dryRun && outcome == Outcome.CHANGED
                    ? "; the real run gives the platform ALL before it lists them)" : ")"), tally);
            return List.of();
        }
    }

    /**
     * Brings one znode's ACL to what {@code rule} makes of it.
     *
     * @param listed whether the znode was seen (listed as a child): if it is missing it went meanwhile; a root that
     *               is missing was never there (no quota znodes, no marker root yet) and is not counted
     */
    private Outcome migrate(String path, UnaryOperator<List<ACL>> rule, Tally tally, boolean listed)
            throws Exception {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stat stat = new Stat();
            List<ACL> current;
            try {
                current = curator.getACL().storingStatIn(stat).forPath(path);
            } catch (KeeperException.NoNodeException e) {
                return gone(tally, listed);
            } catch (KeeperException.NoAuthException e) {
                return unreadable(path, "cannot read its ACL (no READ or ADMIN permission)", tally);
            }
            if (AclMigration.redacted(current)) {
                return unreadable(path, "cannot administer it (no ADMIN permission; its ACL reads "
                        + AclMigration.describe(current) + ")", tally);
            }
            List<ACL> next = rule.apply(current);
            List<ACL> kept = AclMigration.addressBound(next);
            if (attempt == 0 && !kept.isEmpty()) {
                out.println("  warning: " + path + " keeps " + AclMigration.describe(kept) + ": the ensemble sees "
                        + "the proxy's address and certificate, so such entries name every tenant");
            }
            if (next.equals(current)) {
                tally.unchanged++;
                return Outcome.UNCHANGED;
            }
            if (dryRun) {
                out.println("  " + path + ": " + AclMigration.describe(current) + " -> " + AclMigration.describe(next));
                tally.changed++;
                return Outcome.CHANGED;
            }
            try {
                curator.setACL().withVersion(stat.getAversion()).withACL(next).forPath(path);
                tally.changed++;
                return Outcome.CHANGED;
            } catch (KeeperException.BadVersionException e) {
                // someone changed the ACL since it was read: read it again
            } catch (KeeperException.NoNodeException e) {
                return gone(tally, true);
            } catch (KeeperException.NoAuthException e) {
                return unreadable(path, "cannot administer it (no ADMIN permission)", tally);
            }
        }
        throw new IllegalStateException("the ACL of " + path + " kept changing (" + ATTEMPTS + " attempts)");
    }

    private static Outcome gone(Tally tally, boolean seen) {
        if (seen) {
            tally.gone++;
        }
        return Outcome.GONE;
    }

    private Outcome unreadable(String path, String why, Tally tally) {
        tally.unreadable++;
        out.println("  unreadable: " + path + ": " + why);
        return Outcome.UNREADABLE;
    }
}
