package io.zktenantproxy.proxy.cli;

import io.zktenantproxy.proxy.config.ServerConfig;
import io.zktenantproxy.proxy.server.Transport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code transports}: which Netty transports can start on this machine, and which one {@code auto} takes. One line
 * each, {@code NAME available} or {@code NAME unavailable: REASON} (the kernel's or library's reason, e.g. a seccomp
 * profile that refuses {@code io_uring_setup}), then {@code auto NAME}. Always exit 0: NIO starts everywhere.
 */
@Command(name = "transports", mixinStandardHelpOptions = true,
        description = "List the transports (server.transport) that can start here, and the one 'auto' takes.")
final class TransportsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (String name : ServerConfig.TRANSPORTS) {
            if (name.equals("auto")) {
                continue;
            }
            String reason = Transport.unavailability(name);
            System.out.println(name + (reason == null ? " available" : " unavailable: " + reason));
        }
        System.out.println("auto " + Transport.select("auto").name());
        return 0;
    }
}
