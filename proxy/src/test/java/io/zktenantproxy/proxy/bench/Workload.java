package io.zktenantproxy.proxy.bench;

/** The open sessions of one target of a {@link LoadBench} scenario, run for a given time in each round. */
interface Workload extends AutoCloseable {
    /** Runs for {@code seconds}, then waits for every outstanding request. */
    LoadRun.Result run(int seconds) throws InterruptedException;

    @Override
    void close() throws InterruptedException;
}
