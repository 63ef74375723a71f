package io.zktenantproxy.proxy.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The ensemble the proxy forwards to, and the secret its tenants' identities there are derived from. In YAML either
 * a plain connect string or a mapping:
 *
 * <pre>
 * upstream: zk1:2181,zk2:2181,zk3:2181
 * upstream: {connect: "zk1:2181,zk2:2181,zk3:2181", secretFile: /etc/zk-tenant-proxy/upstream-secret}
 * </pre>
 *
 * @param connect    ZooKeeper connect string ({@code host:port,...}, no chroot suffix); null for the embedded ZooKeeper
 * @param secretFile a file holding the upstream secret ({@link UpstreamSecret}), or null: no tenant identities, and
 *                   the ensemble stays open to clients that reach it directly
 * @param tls        TLS to the ensemble's {@code secureClientPort} ({@link UpstreamTlsConfig}), or null: plain TCP
 * @param version    the ensemble's ZooKeeper release ({@code 3.5}, {@code 3.6.4}, ...), or null to ask the servers
 *                   with {@code srvr} at start-up; the proxy answers opcodes the release lacks with -6 itself
 */
public record UpstreamConfig(String connect, String secretFile, UpstreamTlsConfig tls, String version) {
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public UpstreamConfig(@JsonProperty("connect") String connect, @JsonProperty("secretFile") String secretFile,
                          @JsonProperty("tls") UpstreamTlsConfig tls, @JsonProperty("version") String version) {
        this.connect = connect;
        this.secretFile = secretFile;
        this.tls = tls;
        this.version = version;
    }

    /** An upstream whose release is asked of the servers. */
    public UpstreamConfig(String connect, String secretFile, UpstreamTlsConfig tls) {
        this(connect, secretFile, tls, null);
    }

    /** The plain form, {@code upstream: host:port,...}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static UpstreamConfig of(String connect) {
        return new UpstreamConfig(connect, null, null, null);
    }

    /** @return this with {@link #connect()} replaced */
    public UpstreamConfig withConnect(String newConnect) {
        return new UpstreamConfig(newConnect, secretFile, tls, version);
    }

    /** @return this with {@link #secretFile()} replaced */
    public UpstreamConfig withSecretFile(String file) {
        return new UpstreamConfig(connect, file, tls, version);
    }

    /** @return this with {@link #version()} replaced (null: asked of the servers) */
    public UpstreamConfig withVersion(String release) {
        return new UpstreamConfig(connect, secretFile, tls, release);
    }

    /** @return this with {@link #tls()} replaced (null: plain TCP) */
    public UpstreamConfig withTls(UpstreamTlsConfig newTls) {
        return new UpstreamConfig(connect, secretFile, newTls, version);
    }
}
