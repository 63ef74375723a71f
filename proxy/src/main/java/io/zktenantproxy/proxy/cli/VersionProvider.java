package io.zktenantproxy.proxy.cli;

import picocli.CommandLine;

/** The version printed by {@code --version}: the jar's Implementation-Version, or "dev" from a build tree. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new String[] {"zk-tenant-proxy " + (v == null ? "dev" : v)};
    }
}
