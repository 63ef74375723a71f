package io.zktenantproxy.proxy.cli;

import picocli.CommandLine;

/**
 * Entry point of {@code zk-tenant-proxy.jar}: runs the proxy ({@link ServeCommand}, the default) or an operator
 * subcommand. Exit codes: 0 success, 1 runtime failure, 2 invalid usage or configuration.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this). */
    public static int run(String... args) {
        return new CommandLine(new ServeCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }
}
