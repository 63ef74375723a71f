package io.zktenantproxy.proxy.config;

import java.util.List;

/**
 * How the proxy's own network side runs (issue 19).
 *
 * <pre>
 * server:
 *   transport: auto      # auto | io_uring | epoll | nio
 * </pre>
 *
 * <p>{@code auto} takes io_uring where the kernel allows it, else epoll, else NIO, and logs once why it passed over
 * each. A transport named here must start, or the proxy does not: there is no fallback from a name. The flag
 * {@code --transport} (env {@code ZKTP_TRANSPORT}) overrides this key. When neither names one, the JVM system property
 * {@value #TRANSPORT_PROPERTY} does, as {@code io.netty.eventLoopThreads} sets the loop count; the test suite uses it
 * to run every IT on one transport. The transport is fixed for the life of the process: a reload that changes it is
 * refused as restart-only.
 *
 * @param transport one of {@link #TRANSPORTS}; null: the system property, else {@code auto}
 */
public record ServerConfig(String transport) {
    /** The values {@link #transport} takes. */
    public static final List<String> TRANSPORTS = List.of("auto", "io_uring", "epoll", "nio");
    /** The JVM system property that names the transport when the configuration does not. */
    public static final String TRANSPORT_PROPERTY = "zktp.transport";

    /** @return the defaults: the transport from {@value #TRANSPORT_PROPERTY}, else {@code auto} */
    public static ServerConfig defaults() {
        return new ServerConfig(null);
    }

    /** @return the transport to run: the configured one, else {@value #TRANSPORT_PROPERTY}, else {@code auto} */
    public String effectiveTransport() {
        if (transport != null) {
            return transport;
        }
        String property = System.getProperty(TRANSPORT_PROPERTY);
        return property == null || property.isBlank() ? "auto" : property.strip();
    }

    /** @return this configuration with {@link #transport} replaced (null: the property, else auto) */
    public ServerConfig withTransport(String name) {
        return new ServerConfig(name);
    }
}
