package io.zktenantproxy.proxy.faults;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;

/**
 * Isolation across tenants, sampled during the run: a direct client of the ensemble, authenticated as the platform's
 * operator, walks each tenant's chroot every {@value #PERIOD_MS} ms (all of a small folder, a seeded sample of a
 * large one) and reads each znode's data; every workload tags its data with its tenant's name, so data tagged with
 * another tenant under a chroot is a violation. So is a znode outside the platform's layout ({@code /tenants/<name>}
 * of a configured tenant, {@code /zookeeper}, the proxy's {@code /zk-tenant-proxy}) and, through each tenant's own
 * sessions, a root listing with anything but {@code ledger} and {@code zookeeper}.
 */
final class IsolationSampler extends Workload {
    private static final long PERIOD_MS = 3_000;
    private static final int SAMPLE_PER_FOLDER = 25;
    private static final Set<String> UPSTREAM_ROOT = Set.of("tenants", "zookeeper", "zk-tenant-proxy");
    private static final Set<String> TENANT_ROOT = Set.of("ledger", "zookeeper");

    private final Map<String, String> tenantConnectStrings;
    private final String ensemble;
    private final String operatorDigest;
    private final Random random;
    private final AtomicLong samples = new AtomicLong();
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();
    private final List<TenantSession> tenantSessions = new ArrayList<>();
    private TenantSession platform;

    /**
     * @param tenantConnectStrings every tenant's name to its clients' connect string
     * @param ensemble the ensemble's own client ports (around every proxy and link)
     * @param operatorDigest {@code user:password} of the operator identity
     */
    IsolationSampler(Map<String, String> tenantConnectStrings, String ensemble, String operatorDigest, long seed) {
        super("-", ensemble);
        this.tenantConnectStrings = tenantConnectStrings;
        this.ensemble = ensemble;
        this.operatorDigest = operatorDigest;
        this.random = new Random(seed);
    }

    @Override
    String name() {
        return "isolation (sampled)";
    }

    @Override
    void setUp() throws Exception {
        platform = TenantSession.open(ensemble);
        platform.zk().addAuthInfo("digest", operatorDigest.getBytes(StandardCharsets.UTF_8));
        for (String connect : tenantConnectStrings.values()) {
            tenantSessions.add(TenantSession.open(connect));
        }
    }

    @Override
    void start() {
        every("isolation", PERIOD_MS, PERIOD_MS, this::sample);
    }

    private void sample() {
        samples.incrementAndGet();
        try {
            ZooKeeper zk = platform.zk();
            for (String child : zk.getChildren("/", false)) {
                violation(!UPSTREAM_ROOT.contains(child), "/" + child + " upstream");
            }
            for (String child : zk.getChildren("/tenants", false)) {
                violation(!tenantConnectStrings.containsKey(child), "/tenants/" + child + " upstream");
            }
            for (String tenant : tenantConnectStrings.keySet()) {
                walk(zk, tenant, "/tenants/" + tenant);
            }
            for (TenantSession s : tenantSessions) {
                for (String child : s.zk().getChildren("/", false)) {
                    violation(!TENANT_ROOT.contains(child), "/" + child + " in a tenant's view");
                }
            }
        } catch (KeeperException | InterruptedException e) {
            // a server or link is down: the next sample
        }
    }

    private void walk(ZooKeeper zk, String tenant, String path) throws KeeperException, InterruptedException {
        List<String> children = new ArrayList<>(zk.getChildren(path, false));
        if (children.size() > SAMPLE_PER_FOLDER) {
            Collections.shuffle(children, random);
            children = children.subList(0, SAMPLE_PER_FOLDER);
        }
        for (String child : children) {
            String childPath = path + "/" + child;
            if (childPath.equals("/tenants/" + tenant + "/zookeeper")) {
                continue;
            }
            try {
                String data = new String(zk.getData(childPath, false, null), StandardCharsets.UTF_8);
                read.incrementAndGet();
                for (String other : tenantConnectStrings.keySet()) {
                    violation(!other.equals(tenant) && data.startsWith(other + TAG_SEPARATOR),
                            childPath + " holds " + other + "'s data");
                }
                walk(zk, tenant, childPath);
            } catch (KeeperException.NoNodeException gone) {
                // deleted meanwhile (an ephemeral, a lock)
            }
        }
    }

    private void violation(boolean found, String what) {
        if (found) {
            violations.incrementAndGet();
            System.err.println("faults: isolation: " + what);
        }
    }

    @Override
    Verdict check(ZooKeeper reader) {
        sample();
        return new Verdict(name(), "-", 0, 0, 0, 0, 0, 0, violations.get(),
                samples.get() + " samples, " + read.get() + " znodes read upstream");
    }

    @Override
    public void close() throws Exception {
        super.close();
        if (platform != null) {
            platform.close();
        }
        for (TenantSession s : tenantSessions) {
            s.close();
        }
    }
}
