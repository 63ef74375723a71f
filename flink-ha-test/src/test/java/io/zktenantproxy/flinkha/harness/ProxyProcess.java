package io.zktenantproxy.flinkha.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

/**
 * One proxy replica in a JVM of its own, started as operators start the sidecar: the proxy's command line
 * ({@code zk-tenant-proxy --upstream ... --tenant ... --listen ...}, main class {@code io.zktenantproxy.proxy.cli.Main}
 * from the test class path, the code of the shaded jar), so that it can be killed with SIGKILL like the node it
 * runs on. One tenant, chroot {@code /tenants/<tenant>}, the JVM's upstream secret ({@link UpstreamSecretFile}, so
 * the harness's operator client may read what it writes), no admin server.
 */
public final class ProxyProcess implements AutoCloseable {
    private final ChildJvm jvm;
    private final InetSocketAddress address;

    private ProxyProcess(ChildJvm jvm, InetSocketAddress address) {
        this.jvm = jvm;
        this.address = address;
    }

    /**
     * Starts the replica and waits (at most 2 minutes) until it accepts connections.
     *
     * @param upstream the ensemble's connect string
     * @param tenant   the one tenant it serves
     * @param log      its output
     * @return the running replica, listening on a free loopback port that it also advertises (alone) in
     *     {@code /zookeeper/config}: a sidecar serves the processes of its node only
     */
    public static ProxyProcess start(String name, String upstream, String tenant, Path log) {
        InetSocketAddress address = Proxies.freeAddress();
        String hostPort = address.getHostString() + ":" + address.getPort();
        ChildJvm jvm = ChildJvm.start(name, List.of("-Xmx256m",
                        "-Dlogback.configurationFile=" + FlinkProcesses.childLogConfig()),
                "io.zktenantproxy.proxy.cli.Main", List.of("--upstream", upstream, "--tenant", tenant,
                        "--listen", hostPort, "--advertised", hostPort, "--admin", "off",
                        "--upstream-secret-file", UpstreamSecretFile.path().toString()), log);
        ProxyProcess proxy = new ProxyProcess(jvm, address);
        try {
            Runs.patiently().until(proxy::accepts);
        } catch (RuntimeException e) {
            jvm.close();
            throw new IllegalStateException("proxy " + name + " did not listen\n" + jvm.tail(), e);
        }
        return proxy;
    }

    private boolean accepts() {
        if (!jvm.isAlive()) {
            throw new IllegalStateException("exited");
        }
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the tenant's listener */
    public InetSocketAddress address() {
        return address;
    }

    public ChildJvm jvm() {
        return jvm;
    }

    /** SIGKILL: the replica's client and upstream connections drop without a goodbye. */
    public void kill() {
        jvm.kill();
    }

    @Override
    public void close() {
        jvm.close();
    }
}
