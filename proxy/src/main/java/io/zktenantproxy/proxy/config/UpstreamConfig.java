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
 *                   with {@code srvr} at start-up and every {@code versionCheckMs} after; the proxy answers opcodes the
 *                   release lacks with -6 itself
 * @param versionCheckMs how often, in milliseconds, the servers are asked their release again while the proxy runs
 *                   (so an upgraded ensemble's new opcodes are let through, and a server rolled back is noticed);
 *                   null for {@value #DEFAULT_VERSION_CHECK_MS}, 0 never; unused with {@code version} or {@code tls}
 */
public record UpstreamConfig(String connect, String secretFile, UpstreamTlsConfig tls, String version,
                             Long versionCheckMs) {
    /** Default of {@link #versionCheckMs()}: a minute, a few {@code srvr} connections per proxy per minute. */
    public static final long DEFAULT_VERSION_CHECK_MS = 60_000;

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public UpstreamConfig(@JsonProperty("connect") String connect, @JsonProperty("secretFile") String secretFile,
                          @JsonProperty("tls") UpstreamTlsConfig tls, @JsonProperty("version") String version,
                          @JsonProperty("versionCheckMs") Long versionCheckMs) {
        this.connect = connect;
        this.secretFile = secretFile;
        this.tls = tls;
        this.version = version;
        this.versionCheckMs = versionCheckMs;
    }

    /** An upstream with the default release check. */
    public UpstreamConfig(String connect, String secretFile, UpstreamTlsConfig tls, String version) {
        this(connect, secretFile, tls, version, null);
    }

    /** An upstream whose release is asked of the servers. */
    public UpstreamConfig(String connect, String secretFile, UpstreamTlsConfig tls) {
        this(connect, secretFile, tls, null);
    }

    /** The plain form, {@code upstream: host:port,...}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static UpstreamConfig of(String connect) {
        return new UpstreamConfig(connect, null, null, null, null);
    }

    /** @return this with {@link #connect()} replaced */
    public UpstreamConfig withConnect(String newConnect) {
        return new UpstreamConfig(newConnect, secretFile, tls, version, versionCheckMs);
    }

    /** @return this with {@link #secretFile()} replaced */
    public UpstreamConfig withSecretFile(String file) {
        return new UpstreamConfig(connect, file, tls, version, versionCheckMs);
    }

    /** @return this with {@link #version()} replaced (null: asked of the servers) */
    public UpstreamConfig withVersion(String release) {
        return new UpstreamConfig(connect, secretFile, tls, release, versionCheckMs);
    }

    /** @return this with {@link #tls()} replaced (null: plain TCP) */
    public UpstreamConfig withTls(UpstreamTlsConfig newTls) {
        return new UpstreamConfig(connect, secretFile, newTls, version, versionCheckMs);
    }

    /** @return this with {@link #versionCheckMs()} replaced (null: the default, 0: never) */
    public UpstreamConfig withVersionCheckMs(Long millis) {
        return new UpstreamConfig(connect, secretFile, tls, version, millis);
    }

    /** @return the period of the release check, or zero when the servers are not asked again */
    public java.time.Duration effectiveVersionCheck() {
        return java.time.Duration.ofMillis(versionCheckMs == null ? DEFAULT_VERSION_CHECK_MS : versionCheckMs);
    }
}
