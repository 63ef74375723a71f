package io.zktenantproxy.proxy.faults;

/** The kinds of fault the nemesis injects; the report counts each. */
enum Fault {
    /** {@code kill -9} of a proxy replica, started again after a few seconds. */
    KILL_PROXY("kill -9 proxy replica"),
    /** {@code kill -9} of the ensemble's leader, started again after a few seconds. */
    KILL_LEADER("kill -9 ZooKeeper leader"),
    /** {@code kill -9} of a follower, started again after a few seconds. */
    KILL_FOLLOWER("kill -9 ZooKeeper follower"),
    /** {@code SIGSTOP} of a proxy replica for longer than the session timeout, then {@code SIGCONT}. */
    FREEZE_PROXY("SIGSTOP proxy > session timeout"),
    /** Every connection of one tenant to one replica reset, new ones refused for a while. */
    CUT_CLIENT_LINK("cut client-proxy link"),
    /** Every byte between one tenant and one replica held back for a while. */
    DELAY_CLIENT_LINK("delay client-proxy link"),
    /** Every connection of the replicas to one server reset, new ones refused for a while. */
    CUT_SERVER_LINK("cut proxy-server link"),
    /** Every byte between the replicas and one server held back for a while. */
    DELAY_SERVER_LINK("delay proxy-server link"),
    /** One tenant sending far beyond its request budget. */
    FLOOD_BUDGET("tenant flooding its budget");

    private final String description;

    Fault(String description) {
        this.description = description;
    }

    /** @return the fault as the report names it */
    String description() {
        return description;
    }
}
