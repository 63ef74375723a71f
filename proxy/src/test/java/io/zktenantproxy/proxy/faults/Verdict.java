package io.zktenantproxy.proxy.faults;

/**
 * One row of the fault-injection report: what one workload of one tenant did and what the check found. Every
 * violation column must be 0.
 *
 * @param workload the workload's name ({@code "sequential creates"})
 * @param tenant the tenant it ran as ({@code "-"} for checks across tenants)
 * @param acked operations acknowledged to the client
 * @param unknown operations whose outcome the client could not know (resolved by the check)
 * @param lost acknowledged effects missing at the end or during the run (an acknowledged create or write gone, an
 *     increment missing from the count, an ephemeral gone while its session lived, a change a watcher never saw)
 * @param duplicated effects present more than once or more than acknowledged: two acknowledged creates with one
 *     name, a count above acknowledged plus unknown, an ephemeral that outlived its session, a refused write applied
 * @param order order violations: a client saw a version or sequence number go backwards
 * @param mutex mutual exclusion violations: a lock holder's fenced write found another holder's write
 * @param isolation isolation violations: anything of one tenant seen in the other's tree, or a path outside it
 * @param note what else the check measured ({@code "3 sessions expired"})
 */
record Verdict(String workload, String tenant, long acked, long unknown, long lost, long duplicated, long order,
               long mutex, long isolation, String note) {

    /** @return the sum of every violation column */
    long violations() {
        return lost + duplicated + order + mutex + isolation;
    }
}
