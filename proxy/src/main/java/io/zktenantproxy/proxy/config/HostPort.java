package io.zktenantproxy.proxy.config;


/**
 * A {@code host:port} pair as operators write it ({@code 0.0.0.0:7451}, {@code zk1.example:2181},
 * {@code [::1]:7451}). The host is kept unresolved; port 0 asks the OS for a free port (tests).
 *
 * @param host host name or literal address, without brackets
 * @param port 0..65535
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " (expected: 0..65535)");
        }
    }

    /**
     * Parses {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException with a message naming the text when it is not of that form
     */
    public static HostPort parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("address is missing (expected: host:port)");
        }
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' (expected: host:port)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': port is not a number");
        }
        return new HostPort(host, port);
    }

    /** @return whether the host is a wildcard address (listen on every interface) */
    public boolean wildcard() {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("*");
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
